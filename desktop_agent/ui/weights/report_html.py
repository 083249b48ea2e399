"""HTML renderings of the services' results (validation, weight changes, request diffs,
predictions) shared by the snapshot dialogs; the figures are the CLI's own."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from desktop_agent.domain.calibration import METRIC_DEFINITIONS
from desktop_agent.ui.weights.common import verdict_html

if TYPE_CHECKING:
    from collections.abc import Sequence

    from desktop_agent.domain.whatif import Prediction, RequestDiff, WeightShift


def figure(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3f}"
    return escape(str(value))


def validation_html(validation: dict[str, Any] | None) -> str:
    if not validation:
        return "<p><i>No validation report.</i></p>"
    parts = [f"<p>Verdict: {verdict_html(validation.get('verdict'))}</p>"]
    reasons = validation.get("reasons") or []
    if reasons:
        parts.append("<ul>" + "".join(f"<li>{escape(str(r))}</li>" for r in reasons) + "</ul>")
    metrics = validation.get("metrics") or {}
    rows = "".join(
        f'<tr><td title="{escape(METRIC_DEFINITIONS.get(name, ""))}">{escape(name)}</td>'
        f'<td align="right">{figure(value)}</td></tr>'
        for name, value in metrics.items()
    )
    if rows:
        parts.append(f'<table cellspacing="0" cellpadding="2">{rows}</table>')
    for note in validation.get("notes") or []:
        parts.append(f"<p><i>note: {escape(str(note))}</i></p>")
    return "".join(parts)


def changes_html(changes: Sequence[WeightShift]) -> str:
    if not changes:
        return "<p>No weight changes.</p>"
    rows = "".join(
        f"<tr><td>{escape(c.weight)}</td><td align='right'>{c.before:.3f}</td>"
        f"<td>→</td><td align='right'><b>{c.after:.3f}</b></td></tr>"
        for c in changes
    )
    return f'<table cellspacing="0" cellpadding="2">{rows}</table>'


def request_diff_html(diff: RequestDiff) -> str:
    lines: list[str] = []
    for text in diff.removed:
        lines.append(f'<div style="color:#cf222e">− {escape(text)}</div>')
    for text in diff.added:
        lines.append(f'<div style="color:#1a7f37">+ {escape(text)}</div>')
    for name, change in diff.parameters.items():
        lines.append(
            f"<div><b>{escape(name)}</b>: {escape(str(change.before))} → "
            f"{escape(str(change.after))}</div>"
        )
    return "".join(lines) or "<p>The request would not change.</p>"


def predictions_html(predicted: Prediction) -> str:
    if not predicted.rated_turns:
        return "<p>No rated replies in this conversation: nothing to predict from.</p>"
    return (
        f"<p>Approval now <b>{figure(predicted.current_approval)}</b>; predicted "
        f"<b>{figure(predicted.predicted_approval)}</b> "
        f"[{figure(predicted.predicted_ci_low)}, {figure(predicted.predicted_ci_high)}]"
        f"<br>{predicted.rated_turns} rated replies: {predicted.addressed} complaints "
        f"addressed, {predicted.worsened} worsened, {predicted.unchanged} unchanged, "
        f"{predicted.upvotes_at_risk} upvotes at risk.</p>"
    )
