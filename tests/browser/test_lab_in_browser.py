"""Real-browser tests: labs 01, 06, 07 and 08 in JupyterLab, in Debian's chromium, as a learner
uses them.

JupyterLab serves temporary copies of those four student notebooks. In lab 01 the test
runs all cells, checks that the clock controls and the queue board render, clicks
**Advance** and sees a card change lanes, reads a check's one-line answer, then types
the answer of exercise 01.1 into its cell like a learner and sees the check pass. In lab
06 it tries a queue policy in the policy playground (typed into its editor), sees the
verdict turn to an explicit deny with the deciding statement highlighted, then ticks TLS
and sees it allowed again. In labs 07 and 08 it filters the audit explorer by principal,
validates the edited logs, and looks at the metrics view's picture and alarms.
Screenshots go to ``artifacts/browser/``. A slide deck is opened from disk too, with
every request to another host blocked and counted.

Run by ``make browser`` (which installs chromium with apt when it is missing); never
``playwright install``. Recipe and pitfalls: the toolchain recipe (JupyterLab settings
that silence the news toast and the kernel dialog, a 60-second expect timeout, a fresh
server per run on a temporary copy).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "artifacts" / "browser"
TOKEN = "sqskit-browser-test"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings":
        {"autoStartDefaultKernel": True, "windowingMode": "none"},
}
ANSWER_01_1 = (
    "for job in jobs:\n"
    "    sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(job))"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory):
    """A fresh JupyterLab on 127.0.0.1 serving a copy of labs/; stopped after the test."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run make browser, which installs it")
    work = tmp_path_factory.mktemp("jupyterlab")
    notebooks = work / "notebooks"
    notebooks.mkdir()
    for name in ("01_print_queue.ipynb", "06_access.ipynb", "07_audit.ipynb",
                 "08_monitoring.ipynb"):
        shutil.copy(ROOT / "labs" / name, notebooks)
    for rel, value in SETTINGS.items():
        path = work / "settings" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))
    port = free_port()
    env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(work / "settings"),
               JUPYTER_CONFIG_DIR=str(work / "config"), JUPYTER_RUNTIME_DIR=str(work / "rt"),
               SQSKIT_PROGRESS_DIR=str(work / "progress"), PYTHONPATH=str(ROOT))
    log = (work / "lab.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
         "--ip=127.0.0.1", f"--port={port}", f"--ServerApp.token={TOKEN}",
         f"--ServerApp.root_dir={notebooks}", "--LabApp.news_url=None",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         f"--LabApp.workspaces_dir={work / 'workspaces'}",
         "--KernelManager.transport_encryption=auto"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("JupyterLab did not start: " + (work / "lab.log").read_text()[-2000:])
        yield base, work
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def browser_context(lab_server):
    _, work = lab_server
    blocked: list[str] = []
    with playwright.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(work / "profile"), executable_path=CHROMIUM, headless=True,
            args=CHROMIUM_ARGS, viewport={"width": 1280, "height": 900})

        def guard(route):  # nothing may leave the machine
            url = route.request.url
            if url.startswith(("file:", "data:", "blob:", "http://127.0.0.1", "ws://127.0.0.1")):
                route.continue_()
            else:
                blocked.append(url)
                route.abort()

        context.route("**/*", guard)
        expect.set_options(timeout=60_000)
        yield context, blocked
        context.close()


def test_lab01_runs_in_jupyterlab_and_its_widgets_and_checks_work(lab_server, browser_context):
    """A learner's path through lab 01 in a real browser: run all, see the board and the
    clock controls, click Advance, read a check, answer exercise 01.1, pass its check."""
    base, _ = lab_server
    context, _ = browser_context
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    page = context.pages[0] if context.pages else context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{base}/lab/tree/01_print_queue.ipynb?reset&token={TOKEN}")
    notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    idle = page.locator("span.jp-StatusBar-TextItem[title^='Change kernel']",
                        has_text=re.compile(r"\| Idle$"))
    expect(idle).to_have_count(1)

    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()

    # the clock controls and the queue board render; the last board shows J-007 in flight
    clocks = notebook.locator(".sqskit-clock")
    boards = notebook.locator(".sqskit-board")
    expect(clocks.last.locator("button", has_text="Advance")).to_be_visible()
    expect(clocks.last.locator("button", has_text="Next event")).to_be_visible()
    board = boards.last
    urgent = board.locator('.sqskit-queue[data-queue="urgent-jobs"]')
    in_flight = urgent.locator('.sqskit-lane[data-state="in flight"]')
    visible = urgent.locator('.sqskit-lane[data-state="visible"]')
    expect(in_flight).to_contain_text("J-007")
    expect(idle).to_have_count(1)
    print(f"\nran all cells in {time.perf_counter() - started:.1f} s")

    # a check cell shows its one-line result (the student notebook: not attempted yet)
    verdict = notebook.locator(".jp-OutputArea-output", has_text="01.1 not attempted yet")
    expect(verdict).to_be_visible()

    # clicking Advance (30 s) moves the clock, and the card moves to the visible lane
    before = board.inner_text()
    clocks.last.locator("button", has_text="Advance").click()
    expect(visible).to_contain_text("J-007")
    expect(in_flight).not_to_contain_text("J-007")
    assert board.inner_text() != before
    expect(clocks.last).to_contain_text("Advanced 30 s.")
    board.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "lab01-board-after-advance.png"))

    # a learner answers exercise 01.1 in its cell and runs it, then the check
    exercise = notebook.locator(".jp-CodeCell", has_text="# YOUR CODE HERE").first
    exercise.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(ANSWER_01_1)
    page.keyboard.press("Shift+Enter")  # runs the exercise, moves to the check cell
    page.keyboard.press("Shift+Enter")  # runs the check
    passed = notebook.locator(".jp-OutputArea-output", has_text="01.1 checks passed")
    expect(passed).to_be_visible()
    expect(boards.first).to_contain_text("J-001")  # the board followed the sends
    passed.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "lab01-check-passed.png"))
    print(f"lab 01 in the browser: {time.perf_counter() - started:.1f} s")


TLS_ONLY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "sqs:*",
    "Resource": "arn:aws:sqs:us-east-1:123456789012:parse-jobs",
    "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}, indent=2)


def test_the_policy_playground_tries_a_policy_and_explains_the_decision(lab_server,
                                                                      browser_context):
    """Lab 06: in the playground a learner types the TLS-only Deny into the editor and
    presses Evaluate: explicit deny, the TlsOnly row highlighted with the value it saw;
    ticking TLS makes the request allowed again."""
    base, _ = lab_server
    context, _ = browser_context
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{base}/lab/tree/06_access.ipynb?reset&token={TOKEN}")
    notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    idle = page.locator("span.jp-StatusBar-TextItem[title^='Change kernel']",
                        has_text=re.compile(r"\| Idle$"))
    expect(idle).to_have_count(1)
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    playground = notebook.locator(".sqskit-playground").first
    verdict = playground.locator(".sqskit-playground-verdict")
    # the student notebook has no queue policy yet: the parser over plain HTTP is allowed
    expect(verdict).to_have_attribute("data-verdict", "allowed")
    expect(notebook.locator(".sqskit-playground").last.locator(".sqskit-probes")).to_be_visible()
    expect(idle).to_have_count(1)
    editor = playground.locator(".widget-textarea textarea").first
    editor.fill(TLS_ONLY)
    playground.locator("button.jupyter-button", has_text="Evaluate").click()
    expect(verdict).to_have_attribute("data-verdict", "explicit deny")
    decides = verdict.locator('tr[data-decides="true"]')
    expect(decides).to_contain_text("TlsOnly")
    expect(decides).to_contain_text("request has 'false' -> true")
    playground.screenshot(path=str(ARTIFACTS / "lab06-playground-deny.png"))
    playground.locator(".widget-checkbox input[type=checkbox]").first.check()
    expect(verdict).to_have_attribute("data-verdict", "allowed")
    expect(verdict).to_contain_text("context: TLS, from the internet")
    playground.screenshot(path=str(ARTIFACTS / "lab06-playground-tls.png"))
    print(f"lab 06 playground in the browser: {time.perf_counter() - started:.1f} s")
    page.close()


def _open_and_run(base: str, context, name: str):
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{base}/lab/tree/{name}?reset&token={TOKEN}")
    notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    idle = page.locator("span.jp-StatusBar-TextItem[title^='Change kernel']",
                        has_text=re.compile(r"\| Idle$"))
    expect(idle).to_have_count(1)
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    return page, notebook, idle


def test_the_audit_explorer_and_the_metrics_view_work_in_the_browser(lab_server,
                                                                    browser_context):
    """Lab 07: the audit explorer filters the trail by service, shows a timeline and, on
    Validate logs, the edited file. Lab 08: the metrics view shows its picture and the
    alarms with their state changes."""
    base, _ = lab_server
    context, _ = browser_context
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    page, notebook, idle = _open_and_run(base, context, "07_audit.ipynb")
    explorers = notebook.locator(".sqskit-audit-explorer")
    expect(explorers).to_have_count(2)
    expect(idle).to_have_count(1)
    explorer = explorers.first
    table = explorer.locator(".sqskit-audit-table")
    expect(table).to_contain_text("ReceiveMessage")
    explorer.locator(".widget-dropdown select").nth(3).select_option(label="kms")
    expect(table).not_to_contain_text("ReceiveMessage")  # only KMS's denials are left
    expect(table.locator('tr[data-outcome="AccessDeniedException"]')).to_have_count(6)
    timeline = explorers.last
    expect(timeline).to_contain_text("Timeline of ops-admin: 5 calls")
    timeline.locator("button.jupyter-button", has_text="Validate logs").click()
    expect(timeline).to_contain_text("INVALID: the delivered files were changed")
    explorer.scroll_into_view_if_needed()
    explorer.screenshot(path=str(ARTIFACTS / "lab07-audit-explorer.png"))
    timeline.screenshot(path=str(ARTIFACTS / "lab07-audit-timeline-integrity.png"))
    page.close()
    print(f"lab 07 audit explorer in the browser: {time.perf_counter() - started:.1f} s")

    page, notebook, idle = _open_and_run(base, context, "08_monitoring.ipynb")
    views = notebook.locator(".sqskit-metrics-view")
    expect(views).to_have_count(3)
    expect(idle).to_have_count(1)
    dlq = views.last
    expect(dlq).to_contain_text("parse-jobs-dlq-not-empty")
    expect(dlq).to_contain_text("OK -> ALARM")
    picture = dlq.locator("img")
    expect(picture).to_be_visible()
    assert picture.evaluate("image => image.naturalWidth") > 400
    views.nth(1).scroll_into_view_if_needed()
    views.nth(1).screenshot(path=str(ARTIFACTS / "lab08-metrics-parse-jobs.png"))
    dlq.screenshot(path=str(ARTIFACTS / "lab08-metrics-dlq.png"))
    page.close()
    print(f"labs 07 and 08 in the browser: {time.perf_counter() - started:.1f} s")


def test_a_slide_deck_opens_offline_and_moves_with_the_arrow_keys(browser_context):
    """The deck renders from a file with no network: title first, arrows move, N notes."""
    context, blocked = browser_context
    page = context.new_page()
    before = len(blocked)
    page.goto((ROOT / "slides" / "01_print_queue.html").as_uri() + "#1")
    expect(page.locator(".slide.current h1")).to_have_text("The print queue")
    page.keyboard.press("ArrowRight")
    expect(page.locator(".slide.current h2")).to_have_text("The scenario")
    assert page.url.endswith("#2")
    page.keyboard.press("ArrowRight")
    expect(page.locator(".slide.current h2")).to_have_text("You will")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("n")
    expect(page.locator(".notes.current")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "slides-01.png"))
    assert blocked[before:] == []
    page.close()
