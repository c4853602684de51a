"""HTML for the lab views, built from the models' snapshots (pure functions, no widgets).

Inline styles only, no external assets: the views look the same offline, in a
notebook viewer and in a static export. Every card carries its full text in a
``title`` so hovering shows the whole MessageId.
"""

from __future__ import annotations

from html import escape

from ..models.board import STATES, BoardSnapshot, Card, QueueView
from ..models.clock import human_seconds
from ..models.timeline import TimelineRow

FONT = "font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:13px"
LANE_COLOURS = {
    "visible": ("#2e7d32", "#e8f5e9"),
    "in flight": ("#ef6c00", "#fff3e0"),
    "delayed": ("#546e7a", "#eceff1"),
}


def card_html(card: Card) -> str:
    border, background = LANE_COLOURS[card.state]
    badges = []
    if card.receive_count:
        badges.append(f'<span title="ApproximateReceiveCount">×{card.receive_count}</span>')
    if card.seconds_left is not None:
        badges.append(f'<span title="seconds until visible">⏱ {human_seconds(card.seconds_left)}'
                      "</span>")
    if card.group_id:
        badges.append(f'<span title="MessageGroupId">{escape(card.group_id)}</span>')
    return (
        f'<span class="sqskit-card" data-state="{card.state}" title="{escape(card.message_id)}" '
        f'style="display:block;margin:3px 0;padding:3px 6px;border-radius:6px;'
        f'border:1px solid {border};background:{background};overflow-wrap:anywhere">'
        f'<code style="font-size:11px">{card.short_id}</code> {escape(card.label)} '
        f'{" ".join(badges)}</span>'
    )


def queue_html(view: QueueView, max_cards: int) -> str:
    """One queue as a small kanban: a column per lane (visible, in flight, delayed)."""
    visible, inflight, delayed = view.counts
    role = ""
    if view.dead_letter_of:
        role = f' <small>dead-letter queue of {escape(", ".join(view.dead_letter_of))}</small>'
    elif view.max_receive_count is not None:
        role = f" <small>to its DLQ after {view.max_receive_count} receives</small>"
    fifo = " <small>FIFO</small>" if view.fifo else ""
    lanes = []
    for (_, state), count in zip(STATES, view.counts, strict=True):
        border, _ = LANE_COLOURS[state]
        cards = view.cards.get(state, ())
        shown = "".join(card_html(c) for c in cards[:max_cards])
        more = len(cards) - min(len(cards), max_cards)
        if more:
            shown += f" <small>+{more} more</small>"
        if view.cards_hidden and count:
            shown = "<small>(counts only)</small>"
        lanes.append(
            f'<div class="sqskit-lane" data-state="{state}" style="min-width:0">'
            f'<div style="color:{border};font-weight:600;border-bottom:2px solid {border};'
            f'margin-bottom:2px">{state} · {count}</div>'
            f'{shown or "<small style=color:#9e9e9e>empty</small>"}</div>'
        )
    tint = "#fbe9e7" if view.dead_letter_of else "#fafafa"
    return (
        f'<div class="sqskit-queue" data-queue="{escape(view.name)}" style="flex:1;min-width:300px;'
        f'border:1px solid #bdbdbd;border-radius:8px;padding:6px 8px;background:{tint}">'
        f"<b>{escape(view.name)}</b>{fifo}{role} "
        f'<small class="sqskit-counts" style="color:#616161">{visible} visible · {inflight} in '
        f"flight · {delayed} delayed</small>"
        f'<div style="display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:8px;'
        f'margin-top:4px">{"".join(lanes)}</div></div>'
    )


def board_html(snapshot: BoardSnapshot) -> str:
    head = (f'<div class="sqskit-board-head"><b>Queue board</b> at {snapshot.at} '
            f"(+{human_seconds(snapshot.elapsed)})</div>")
    if not snapshot.queues:
        body = "<div><small>(no queues yet)</small></div>"
    else:
        by_name = {q.name: q for q in snapshot.queues}
        rows: list[str] = []
        placed: set[str] = set()
        for view in snapshot.queues:
            if view.name in placed:
                continue
            group = [view] + [by_name[n] for n in by_name
                              if view.name in by_name[n].dead_letter_of and n not in placed]
            placed.update(q.name for q in group)
            rows.append('<div style="display:flex;gap:8px;margin:4px 0">'
                        + "".join(queue_html(q, snapshot.max_cards) for q in group) + "</div>")
        body = "".join(rows)
    return f'<div class="sqskit-board" style="{FONT}">{head}{body}</div>'


def timeline_html(title: str, rows: list[tuple[str, TimelineRow]]) -> str:
    lines = "".join(
        f"<tr><td><code>{escape(time)}</code></td><td>+{human_seconds(row.elapsed)}</td>"
        f"<td>{escape(row.queue)}</td><td>{escape(row.what)}</td>"
        f"<td><small>{row.source}</small></td></tr>"
        for time, row in rows
    ) or '<tr><td colspan="5"><small>(nothing recorded for this message yet)</small></td></tr>'
    return (
        f'<div class="sqskit-timeline" style="{FONT}"><b>{escape(title)}</b>'
        f'<table style="border-collapse:collapse"><tr><th>time</th><th>elapsed</th>'
        f"<th>queue</th><th>what happened</th><th>source</th></tr>{lines}</table></div>"
    )
