"""HTML for the security views: a policy decision explained, probes, an envelope's layers.

Pure functions of the models' outputs, inline styles only (the views look the same
offline and in a static export). The deciding statement is highlighted; each condition
shows the value the request had, green when it held and red when it did not.
"""

from __future__ import annotations

import json
from html import escape

from ...security.policy import Decision, PolicyProblem
from ...security.policy.explain import trace
from ..models.envelope import NONCE, TAG, EnvelopeSnapshot
from ..models.probes import ProbeTable
from .html import FONT

GREEN, RED, AMBER, GREY = "#1a7f37", "#cf222e", "#9a6700", "#57606a"
CELL = "border:1px solid #d0d7de;padding:2px 6px;vertical-align:top;line-height:1.35"
BOX = f"{FONT};line-height:1.35"


def decision_html(found: Decision | PolicyProblem, request: list[str]) -> str:
    """The verdict, the reason, and every statement considered (the deciding one marked)."""
    head = "<div>" + "<br>".join(escape(line.strip()) for line in request) + "</div>"
    if isinstance(found, PolicyProblem):
        return (f'<div class="sqskit-playground-verdict" data-verdict="invalid" style="{BOX}">'
                f'{head}<div style="color:{RED};font-weight:700">The edited policy is not valid: '
                f"{escape(str(found))}</div></div>")
    colour = GREEN if found.allowed else RED
    verdict = "ALLOWED" if found.allowed else f"DENIED ({found.outcome})"
    rows = []
    deciding = {id(m.statement) for m in found.deciding}
    for t in trace(found):
        decides = id(t.statement) in deciding
        conditions = "".join(
            f'<div style="color:{GREEN if c.holds else RED}">{escape(c.describe())}</div>'
            for c in t.conditions) or f'<span style="color:{GREY}">none</span>'
        state = "applies" if t.applies else escape(t.failed())
        style = ' style="background:#fff8c5;font-weight:600"' if decides else ""
        rows.append(
            f'<tr class="sqskit-statement" data-decides="{str(decides).lower()}"{style}>'
            f'<td style="{CELL}">{escape(t.policy.label)}</td>'
            f'<td style="{CELL}">{escape(t.statement.label)} {t.statement.effect}</td>'
            f'<td style="{CELL}">{escape(t.principal)}</td>'
            f'<td style="{CELL}">{"✓" if t.action else "✗"} / {"✓" if t.resource else "✗"}</td>'
            f'<td style="{CELL}">{conditions}</td>'
            f'<td style="{CELL}">{state}{" ← decides" if decides else ""}</td></tr>')
    table = (
        '<table style="border-collapse:collapse;margin-top:4px"><tr>'
        + "".join(f'<th style="{CELL};background:#f6f8fa">{h}</th>' for h in (
            "policy", "statement", "principal", "action / resource", "conditions (value seen)",
            "outcome"))
        + "</tr>" + "".join(rows) + "</table>"
    ) if rows else f'<div style="color:{GREY}">No policy has a statement for this request.</div>'
    missing = found.missing_keys
    lacking = (f'<div style="color:{AMBER}">The request lacks: {escape(", ".join(missing))}</div>'
               if missing else "")
    return (
        f'<div class="sqskit-playground-verdict" data-verdict="{found.outcome}" style="{BOX}">'
        f"{head}<div style=\"margin-top:4px;padding:4px 8px;border-left:4px solid {colour};"
        f'background:{"#dafbe1" if found.allowed else "#ffebe9"}"><b style="color:{colour}">'
        f"{verdict}</b> {escape(found.why)}.</div>{table}{lacking}</div>"
    )


def probes_html(table: ProbeTable) -> str:
    rows = "".join(
        f'<tr data-ok="{str(r.ok).lower()}"><td style="{CELL};color:{GREEN if r.ok else RED}">'
        f'{"✓" if r.ok else "✗"}</td><td style="{CELL}">{escape(r.probe.says)}</td>'
        f'<td style="{CELL}">{escape(r.probe.where())}</td>'
        f'<td style="{CELL}">{r.probe.expect or ""}</td><td style="{CELL}">{r.got}</td>'
        f'<td style="{CELL}">{escape(r.decision.why)}</td></tr>'
        for r in table.results)
    passed = sum(r.ok for r in table.results)
    return (f'<div class="sqskit-probes" style="{BOX};margin-top:6px"><b>{escape(table.title)}'
            f"</b>: {passed} of {len(table.results)} as expected"
            f'<table style="border-collapse:collapse"><tr>'
            + "".join(f'<th style="{CELL};background:#f6f8fa">{h}</th>'
                      for h in ("", "probe", "context", "must", "got", "why"))
            + f"</tr>{rows}</table></div>")


def _box(title: str, body: str, colour: str, hover: str = "") -> str:
    return (f'<div class="sqskit-layer" title="{escape(hover)}" style="flex:1;min-width:150px;'
            f"border:2px solid {colour};border-radius:8px;padding:6px;background:#fff;"
            f'overflow-wrap:anywhere"><div style="font-weight:700;color:{colour}">{title}</div>'
            f"{body}</div>")


def envelope_html(snapshot: EnvelopeSnapshot | None, missing: str) -> str:
    """The five layers side by side: sent -> data key -> encrypted key -> stored -> received."""
    if snapshot is None:
        return f'<div class="sqskit-envelope" style="{FONT}">{escape(missing)}</div>'
    s = snapshot
    arrow = '<div style="align-self:center;font-size:20px;color:#8c959f">→</div>'
    sent = escape(s.sent) if s.sent is not None else "<i>cannot be read now</i>"
    small = "font-size:12px"
    if s.encryption == "none":
        layers = [_box("The producer sent", f'<code style="{small}">{sent}</code>', GREY),
                  _box("Stored as sent", f"{s.stored_bytes} bytes in the clear", RED)]
    else:
        fingerprint = s.fingerprint or "cannot be unwrapped now"
        ok = s.key_state in ("Enabled", "SQS-owned")
        layers = [
            _box("The producer sent", f'<code style="{small}">{sent}</code>', GREY),
            _box("Data key", f'{escape(s.data_key)}<div><code>{escape(fingerprint)}</code></div>',
                 AMBER, "a masked fingerprint: the key itself is never shown"),
            _box("Encrypted data key", f"{s.encrypted_key_bytes} bytes, names "
                 f"<code>{escape(s.encrypted_key_names)}</code><div style=\"{small}\">context "
                 f"{escape(json.dumps(dict(s.context or {})))}</div><div>wrapped by "
                 f"{escape(s.key_alias or s.kms_key)}: <b style=\"color:"
                 f"{GREEN if ok else RED}\">{escape(s.key_state)}</b></div>",
                 GREEN if ok else RED, s.kms_key),
            _box("Stored", f"{s.stored_bytes} bytes = {NONCE} nonce + "
                 f"{s.stored_bytes - NONCE - TAG} ciphertext + {TAG} tag"
                 f'<div><code style="{small}">{escape(s.stored_prefix)} …</code></div>', GREY,
                 "the first bytes of what SQS stores (random every run)"),
            _box("The consumer receives", f'<code style="{small}">'
                 f"{escape(s.consumer_receives)}</code>", GREEN if s.readable else RED),
        ]
    breaks = "".join(f"<li>{escape(line)}</li>" for line in s.what_breaks)
    return (
        f'<div class="sqskit-envelope" data-state="{escape(s.key_state or "none")}" '
        f'style="{BOX}"><b>Envelope of message {escape(s.message_id[:8])}</b> in '
        f"{escape(s.queue)} ({escape(s.encryption)})"
        f'<div style="display:flex;gap:4px;margin:6px 0">{arrow.join(layers)}</div>'
        f"<div><b>When the key breaks</b><ul style=\"margin:2px 0\">{breaks}</ul></div></div>"
    )
