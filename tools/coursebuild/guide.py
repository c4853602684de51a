"""FACILITATOR.md: the facilitator's guide, generated from the lab sources and the checks.

Per lab: its scenario card (size, difficulty, goal, summary), what to prepare
(``kit.prepare``), objectives, learning and teaching minutes, the exercises with the
mistakes their checks recognise (the same list that drives the learners' tips, read from
the checks registry), the ``facilitator`` notes of the source in order, discussion
prompts and key points. Up front: the checklist for before, during and after the
workshop (``course/checklist.md``, written by hand), a table of the labs and agendas
(half day, full day, two days, a two-day security path, three days) computed from the
teaching minutes.
"""

from __future__ import annotations

from dataclasses import dataclass

from .source import LabSource

INTRO_MINUTES = 25  # welcome, the overview deck (about 15 minutes), set-up check
RECAP_MINUTES = 15  # days 2 and 3 open with a recap
BREAK_MINUTES = 15
WORK_BEFORE_BREAK = 90  # minutes of teaching before a break
HALF_DAY = 210  # 09:00 to 12:30
FULL_DAY_MORNING = 210  # 09:00 to 12:30, then lunch
LUNCH_MINUTES = 60
FULL_DAY_AFTERNOON = 210  # 13:30 to 17:00
#: the two-day security path leaves these out (self-study): FIFO, tuning, fan-out
SECURITY_PATH_SKIPS = ("03", "04", "09")


@dataclass(frozen=True)
class ExerciseInfo:
    id: str
    title: str
    mistakes: dict[str, str]


def _clock(minutes: int) -> str:
    return f"{9 + minutes // 60:02d}:{minutes % 60:02d}"


WELCOME = (INTRO_MINUTES, "Welcome and the overview deck (`slides/overview.html`); set-up "
                          "check (`make lab` opens JupyterLab)")
RECAP = (RECAP_MINUTES, "Recap of the day before, questions, and the scenario so far")
FULL_DAY = [(0, FULL_DAY_MORNING), (FULL_DAY_MORNING + LUNCH_MINUTES, FULL_DAY_AFTERNOON)]


def _plan(labs: list[LabSource], sessions: list[tuple[int, int]],
          opening: tuple[int, str] = WELCOME) -> tuple[list[str], list[LabSource]]:
    """Rows ``| start | end | what |`` for labs placed into ``(start, length)`` sessions,
    and the labs that did not fit."""
    rows, left = [], list(labs)
    for index, (start, length) in enumerate(sessions):
        now, end, since_break = start, start + length, 0
        if index == 0:
            rows.append(f"| {_clock(now)} | {_clock(now + opening[0])} | {opening[1]} |")
            now += opening[0]
        while left:
            lab = left[0]
            need = int(lab.meta["minutes"]["teaching"])
            if since_break + need > WORK_BEFORE_BREAK and since_break:
                if now + BREAK_MINUTES + need > end:
                    break  # no lab runs on without a break: it waits for the next session
                rows.append(f"| {_clock(now)} | {_clock(now + BREAK_MINUTES)} | Break |")
                now += BREAK_MINUTES
                since_break = 0
            if now + need > end:
                break
            rows.append(f"| {_clock(now)} | {_clock(now + need)} | Lab {lab.lab} · "
                        f"{lab.meta['title']} |")
            now += need
            since_break += need
            left.pop(0)
        if left and index + 1 < len(sessions):
            nxt = sessions[index + 1][0]
            rows.append(f"| {_clock(now)} | {_clock(nxt)} | Lunch (and catch-up) |")
        elif index + 1 == len(sessions) and end > now:
            rows.append(f"| {_clock(now)} | {_clock(end)} | Catch-up, questions, and the "
                        "labs' appendices |")
    return rows, left


def _self_study(left: list[LabSource]) -> list[str]:
    if not left:
        return []
    return ["Does not fit; give as self-study (the notebooks are self-paced): "
            + "; ".join(f"Lab {lab.lab} · {lab.meta['title']}" for lab in left) + ".", ""]


def agenda(title: str, labs: list[LabSource], sessions: list[tuple[int, int]]) -> list[str]:
    rows, left = _plan(labs, sessions)
    out = [f"### {title}", "", "| Start | End | What |", "|---|---|---|", *rows, ""]
    return out + _self_study(left)


def days_agenda(title: str, labs: list[LabSource], days: int) -> list[str]:
    """Full days (09:00 to 17:00) one after the other; day 2 on opens with a recap."""
    out, left = [f"### {title}", ""], list(labs)
    for day in range(1, days + 1):
        if not left:
            break
        rows, left = _plan(left, FULL_DAY, WELCOME if day == 1 else RECAP)
        out += [f"**Day {day}**", "", "| Start | End | What |", "|---|---|---|", *rows, ""]
    return out + _self_study(left)


def render(labs: list[LabSource], exercises: dict[str, list[ExerciseInfo]],
           checklist: str = "") -> str:
    """The guide; ``checklist`` is the Markdown of ``course/checklist.md``."""
    out = [
        "<!-- generated from course/*.py and sqskit/lab/checks by tools/course.py: "
        "edit those, then run make course -->",
        "# Facilitator guide",
        "",
        "Everything here is generated from the lab sources (`course/`) and the checks "
        "(`sqskit/lab/checks/`). Learners work in `labs/` (`make lab`); the executed "
        "answers are in `solutions/`; the slide decks are in `slides/` (open "
        "`slides/index.html`; N shows speaker notes). Open a workshop with the overview "
        "deck (`slides/overview.html`, about 15 minutes): the mailbox analogy, how SQS "
        "works, its security features and best practices.",
        "",
        "**Keep `solutions/` from learners until the session is over.** It gives away "
        "every answer, and `solutions/11_incident.ipynb` prints lab 11's four flags (the "
        "kit itself stores only their salted hashes). Hand learners `labs/` (or a copy of "
        "the kit without `solutions/`); share the solutions after the debrief.",
        "",
        "Contents: before, during and after the workshop; the labs at a glance; agendas "
        "(half day to three days); then one section per lab: what to prepare, the "
        "mistakes the checks recognise and their tips, notes, discussion prompts.",
        "",
        *([checklist.strip(), ""] if checklist.strip() else []),
        "## The labs at a glance",
        "",
        "| Lab | Title | Size | Difficulty | Learning (min) | Teaching (min) | Exercises |",
        "|---|---|---|---|---|---|---|",
    ]
    for lab in labs:
        minutes, card = lab.meta["minutes"], lab.meta["card"]
        out.append(f"| {lab.lab} | {lab.meta['title']} | {card['size']} | "
                   f"{card['difficulty']} | {minutes['learning']} | "
                   f"{minutes['teaching']} | {len(exercises.get(lab.lab, []))} |")
    total = sum(int(lab.meta["minutes"]["teaching"]) for lab in labs)
    out += ["", f"Teaching time in total: {total} minutes.", "", "## Agendas", ""]
    out += agenda("Half day (09:00 to 12:30)", labs, [(0, HALF_DAY)])
    out += agenda("Full day (09:00 to 17:00)", labs, FULL_DAY)
    out += days_agenda("Two days", labs, 2)
    path = [lab for lab in labs if lab.lab not in SECURITY_PATH_SKIPS]
    skipped = [lab for lab in labs if lab.lab in SECURITY_PATH_SKIPS]
    out += days_agenda("Two days, the security path: the capstone and the incident", path, 2)
    if skipped:
        out += [
            "Leaves out " + "; ".join(f"Lab {lab.lab} · {lab.meta['title']}" for lab in skipped)
            + " (give them as self-study). Lab 10's event source mapping with partial batch "
            "failures comes from lab 09: show lab 09's slide on it before lab 10.", ""]
    out += days_agenda("Three days: every lab, the Winterday labs on days 2 and 3", labs, 3)
    for lab in labs:
        out += _lab_section(lab, exercises.get(lab.lab, []))
    return "\n".join(out).rstrip() + "\n"


def _lab_section(lab: LabSource, exercises: list[ExerciseInfo]) -> list[str]:
    meta = lab.meta
    minutes = meta["minutes"]
    out = ["", f"## Lab {lab.lab} · {meta['title']}", "",
           f"Notebook `labs/{lab.stem}.ipynb` · about {minutes['learning']} minutes on one's "
           f"own, {minutes['teaching']} minutes taught with discussion.", "",
           f"**Scenario card.** Size: {meta['card']['size']} · difficulty: "
           f"{meta['card']['difficulty']} · story: {meta.get('story', 'Snowy’s printing service')}",
           "", f"- *Goal:* {meta['card']['goal']}", f"- *Summary:* {meta['card']['summary']}",
           "",
           *(["**Before you teach it**", "", *(f"- {p}" for p in meta["prepare"]), ""]
             if meta.get("prepare") else []),
           "**Objectives**", "", *(f"- {o}" for o in meta["objectives"]), ""]
    if exercises:
        out += ["**Exercises and the mistakes their checks recognise** (each with its tip)", ""]
        for ex in exercises:
            out.append(f"- **{ex.id} {ex.title}**")
            out += [f"  - *{key}*: {tip}" for key, tip in ex.mistakes.items()]
        out.append("")
    notes = [c.source.strip() for c in lab.cells if "facilitator" in c.tags]
    if notes:
        out += ["**Notes for facilitators** (in the order of the lab)", ""]
        out += [f"{n}\n" for n in notes]
    prompts = meta.get("discussion") or []
    if prompts:
        out += ["**Discussion prompts**", "", *(f"- {p}" for p in prompts), ""]
    out += ["**Key points**", "", *(f"- {k}" for k in meta["keypoints"])]
    return out
