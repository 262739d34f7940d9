"""Line plots on a log x axis as SVG text, by hand: the benchmark report needs two small panels, no more."""
from __future__ import annotations

import math

COLOURS = ["#1f5fa8", "#d1495b", "#2e8b57", "#e08e0b", "#6a4c93", "#555555"]


def panel(x0: float, y0: float, w: float, h: float, titles: tuple[str, str, str], series: list,
          ylog: bool = True) -> list[str]:
    """One panel (titles: panel, x axis, y axis): log x, log or linear y from 0, legend below."""
    title, xlabel, ylabel = titles
    xs = [x for *_, pts in series for x, _ in pts]
    ys = [y for *_, pts in series for _, y in pts if y > 0]
    xlo, xhi = math.floor(math.log10(min(xs))), math.ceil(math.log10(max(xs)))
    xhi = max(xhi, xlo + 1)
    if ylog:
        ylo, yhi = math.floor(math.log10(min(ys))), math.ceil(math.log10(max(ys)))
        yhi = max(yhi, ylo + 1)
        yticks = [10 ** e for e in range(ylo, yhi + 1)]
    else:
        # Linear from 0, in steps of 1, 2 or 5 times a power of ten: flat lines must look flat.
        raw = max(ys) / 4
        unit = 10 ** math.floor(math.log10(raw))
        step = next(m * unit for m in (1, 2, 5, 10) if m * unit >= raw)
        yticks = [step * k for k in range(math.ceil(max(ys) * 1.1 / step) + 1)]

    def px(x):
        return x0 + w * (math.log10(x) - xlo) / (xhi - xlo)

    def py(y):
        if ylog:
            return y0 + h - h * (math.log10(y) - ylo) / (yhi - ylo)
        return y0 + h - h * y / yticks[-1]

    out = [f'<text x="{x0 + w / 2}" y="{y0 - 12}" text-anchor="middle" font-weight="bold">{title}</text>',
           f'<text transform="translate({x0 - 48},{y0 + h / 2}) rotate(-90)" text-anchor="middle">{ylabel}</text>',
           f'<text x="{x0 + w / 2}" y="{y0 + h + 36}" text-anchor="middle">{xlabel}</text>']
    for e in range(xlo, xhi + 1):
        out += [f'<line x1="{px(10 ** e):.1f}" y1="{y0}" x2="{px(10 ** e):.1f}" y2="{y0 + h}" stroke="#ddd"/>',
                f'<text x="{px(10 ** e):.1f}" y="{y0 + h + 16}" text-anchor="middle">{10 ** e:,}</text>']
    for tick in yticks:
        label = f"{tick:g}" if tick < 10_000 else f"{tick:,}"
        out += [f'<line x1="{x0}" y1="{py(tick):.1f}" x2="{x0 + w}" y2="{py(tick):.1f}" stroke="#ddd"/>',
                f'<text x="{x0 - 6}" y="{py(tick) + 4:.1f}" text-anchor="end">{label}</text>']
    out.append(f'<rect x="{x0}" y="{y0}" width="{w}" height="{h}" fill="none" stroke="#888"/>')
    for i, (label, colour, pts) in enumerate(series):
        pts = [(x, y) for x, y in pts if y > 0]
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in pts)
        # Every other line dashed: two series on the same values stay both visible.
        dash = ' stroke-dasharray="6 4"' if i % 2 else ""
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
        out += [f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3.5" fill="{colour}"/>' for x, y in pts]
        ly = y0 + h + 56 + 16 * i
        out += [f'<line x1="{x0}" y1="{ly - 4}" x2="{x0 + 22}" y2="{ly - 4}" stroke="{colour}" stroke-width="2"{dash}/>',
                f'<text x="{x0 + 28}" y="{ly}">{label}</text>']
    return out


def svg_document(width: int, height: int, body: list[str]) -> str:
    """A standalone SVG of ``body`` elements on white."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">\n'
            f'<rect width="100%" height="100%" fill="white"/>\n' + "\n".join(body) + "\n</svg>\n")
