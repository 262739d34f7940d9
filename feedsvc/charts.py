"""A small grouped bar chart as inline SVG (pure): no script, no external files, text escaped."""
from __future__ import annotations

from datetime import date
from xml.sax.saxutils import escape, quoteattr

COLOURS = ("#0b5cad", "#e08a1e")
_PAD_LEFT, _PAD_RIGHT, _PAD_TOP, _PAD_BOTTOM = 34, 8, 26, 22


def render_bar_chart(series: list[tuple[date, int, int]], *, labels: tuple[str, str],
                     width: int = 640, height: int = 200, title: str = "") -> str:
    """Two bars per day (e.g. articles added, digests sent), a legend and a few date ticks.

    Fill colours are presentation attributes, not ``style``: the pages' Content-Security-Policy
    allows no inline styles.
    """
    plot_w = width - _PAD_LEFT - _PAD_RIGHT
    plot_h = height - _PAD_TOP - _PAD_BOTTOM
    top = max([max(a, b) for _, a, b in series] + [1])
    scale = _nice_ceiling(top)
    slot = plot_w / max(len(series), 1)
    bar = max(slot * 0.4, 1.0)
    base_y = _PAD_TOP + plot_h
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label={quoteattr(title or " / ".join(labels))}>',
        f"<title>{escape(title or ' / '.join(labels))}</title>",
    ]
    for value in (0, scale // 2, scale):
        y = base_y - plot_h * value / scale
        parts.append(f'<line x1="{_PAD_LEFT}" x2="{width - _PAD_RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#e3e7ec" stroke-width="1"/>')
        parts.append(f'<text x="{_PAD_LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
                     f'fill="#5f6b78">{value}</text>')
    for index, (day, *values) in enumerate(series):
        x0 = _PAD_LEFT + index * slot + (slot - 2 * bar) / 2
        for which, value in enumerate(values):
            h = plot_h * value / scale
            tip = f"{day.isoformat()} {labels[which]}: {value}"
            parts.append(
                f'<rect x="{x0 + which * bar:.1f}" y="{base_y - h:.1f}" width="{bar:.1f}" '
                f'height="{h:.1f}" fill="{COLOURS[which]}"><title>{escape(tip)}</title></rect>'
            )
        if _is_tick(index, len(series)):
            parts.append(f'<text x="{_PAD_LEFT + (index + 0.5) * slot:.1f}" y="{height - 6}" '
                         f'text-anchor="middle" font-size="11" fill="#5f6b78">{day:%m-%d}</text>')
    legend_x = _PAD_LEFT
    for which, label in enumerate(labels):
        parts.append(f'<rect x="{legend_x}" y="6" width="10" height="10" fill="{COLOURS[which]}"/>')
        parts.append(f'<text x="{legend_x + 14}" y="15" font-size="12" fill="#1d232b">{escape(label)}</text>')
        legend_x += 24 + 12 * len(label)
    parts.append("</svg>")
    return "".join(parts)


def _nice_ceiling(value: int) -> int:
    """The smallest of 2, 4, 10, 20, 40, 100… at or above ``value`` (an even, readable axis top)."""
    step = 1
    while True:
        for factor in (2, 4, 10):
            if value <= step * factor:
                return step * factor
        step *= 10


def _is_tick(index: int, count: int) -> bool:
    # About five date labels whatever the length, and always the last (today).
    return index == count - 1 or (count - 1 - index) % max(count // 5, 1) == 0
