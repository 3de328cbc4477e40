"""The route graph: origins on the left, destinations on the right, one edge per origin ->
destination pair with its width by the number of case routes. Plain SVG text, no plotting library.

Every label is XML-escaped and stripped of control characters (which XML 1.0 forbids), so the file
is well-formed whatever the cables say; the graph is shown through ``<img>``, where an SVG can run
no script anyway.
"""
from __future__ import annotations

import re
from collections import Counter
from html import escape

#: Places shown per side; the rest are drawn as one "other places" node.
MAX_NODES = 25
UNKNOWN = None  # an unknown end of a route (a case with an origin and no destination, or the reverse)

WIDTH = 960
BOX_W = 250
LEFT_X = 20
RIGHT_X = WIDTH - 20 - BOX_W
TOP = 64
ROW = 34
BOX_H = 24
MAX_STROKE = 16.0
LABEL_CHARS = 30

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def _x(text: object) -> str:
    """Text for an SVG attribute or element: control characters dropped, markup escaped."""
    return escape(_CONTROL.sub("", str(text)), quote=True)


def _short(text: str, n: int = LABEL_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "\u2026"


def _ranked(totals: Counter, limit: int) -> tuple[list, set]:
    """The `limit` busiest places (an unknown end last), and the ones folded into "other"."""
    order = sorted(totals, key=lambda k: (k is UNKNOWN, -totals[k], str(k).casefold()))
    if len(order) <= limit:
        return order, set()
    keep = order[: limit - 1]
    if UNKNOWN in order and UNKNOWN not in keep:
        keep = keep[:-1] + [UNKNOWN]
    return keep, set(order) - set(keep)


def render_routes_svg(edges: dict[tuple[str | None, str | None], int]) -> str:
    """SVG text for ``{(origin, destination): count}``; None is an unknown end. Empty -> a
    "No routes found" image."""
    edges = {k: v for k, v in edges.items() if v > 0 and k != (UNKNOWN, UNKNOWN)}
    if not edges:
        return _empty()
    out_tot: Counter = Counter()
    in_tot: Counter = Counter()
    for (o, d), n in edges.items():
        out_tot[o] += n
        in_tot[d] += n
    left, left_other = _ranked(out_tot, MAX_NODES)
    right, right_other = _ranked(in_tot, MAX_NODES)
    OTHER = ("other",)  # sentinel: folded places
    if left_other:
        left.append(OTHER)
    if right_other:
        right.append(OTHER)
    # fold edges onto the shown nodes
    shown: Counter = Counter()
    for (o, d), n in edges.items():
        shown[(OTHER if o in left_other else o, OTHER if d in right_other else d)] += n
    node_tot_l = Counter()
    node_tot_r = Counter()
    for (o, d), n in shown.items():
        node_tot_l[o] += n
        node_tot_r[d] += n

    rows = max(len(left), len(right))
    height = TOP + rows * ROW + 24
    ly = {k: TOP + i * ROW + (rows - len(left)) * ROW / 2 for i, k in enumerate(left)}
    ry = {k: TOP + i * ROW + (rows - len(right)) * ROW / 2 for i, k in enumerate(right)}
    peak = max(shown.values())
    total = sum(edges.values())

    def name(k, folded: set) -> str:
        if k is UNKNOWN:
            return "(unknown)"
        if k == OTHER:
            return f"other places ({len(folded)})"
        return k

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0f}" '
        f'viewBox="0 0 {WIDTH} {height:.0f}" font-family="DejaVu Sans, Arial, Helvetica, sans-serif" font-size="13">',
        f"<title>Trafficking routes: {len(edges)} origin \u2192 destination pair(s), {total} case route(s)</title>",
        '<rect x="0" y="0" width="100%" height="100%" fill="#ffffff"/>',
        f'<text x="{LEFT_X}" y="30" font-size="15" font-weight="bold" fill="#111827">Origin</text>',
        f'<text x="{RIGHT_X + BOX_W}" y="30" font-size="15" font-weight="bold" fill="#111827" text-anchor="end">Destination</text>',
        f'<text x="{WIDTH / 2:.0f}" y="30" font-size="12" fill="#6b7280" text-anchor="middle">'
        f"edge width = number of case routes (widest: {peak})</text>",
        '<g class="edges" fill="none">',
    ]
    x1, x2 = LEFT_X + BOX_W, RIGHT_X
    mx = (x1 + x2) / 2
    for (o, d), n in sorted(shown.items(), key=lambda kv: -kv[1]):
        y1 = ly[o] + BOX_H / 2
        y2 = ry[d] + BOX_H / 2
        w = 1.5 + (MAX_STROKE - 1.5) * n / peak
        unknown = o is UNKNOWN or d is UNKNOWN
        colour = "#9ca3af" if unknown else "#2563eb"
        dash = ' stroke-dasharray="6 4"' if unknown else ""
        parts.append(
            f'<path class="edge" data-from="{_x(name(o, left_other))}" data-to="{_x(name(d, right_other))}" data-count="{n}" '
            f'd="M{x1},{y1:.1f} C{mx:.1f},{y1:.1f} {mx:.1f},{y2:.1f} {x2},{y2:.1f}" '
            f'stroke="{colour}" stroke-opacity="0.45" stroke-width="{w:.1f}"{dash}>'
            f"<title>{_x(name(o, left_other))} \u2192 {_x(name(d, right_other))}: {n}</title></path>"
        )
    parts.append("</g>")
    for side, order, ys, x, folded, tot in (("origin", left, ly, LEFT_X, left_other, node_tot_l),
                                            ("destination", right, ry, RIGHT_X, right_other, node_tot_r)):
        parts.append(f'<g class="{side}s">')
        for k in order:
            label = name(k, folded)
            vague = k is UNKNOWN or k == OTHER
            fill = "#f3f4f6" if vague else ("#dcfce7" if side == "origin" else "#e0e7ff")
            style = ' font-style="italic"' if vague else ""
            parts.append(
                f'<g class="node {side}" data-name="{_x(label)}" data-count="{tot[k]}">'
                f"<title>{_x(label)}: {tot[k]}</title>"
                f'<rect x="{x}" y="{ys[k]:.1f}" width="{BOX_W}" height="{BOX_H}" rx="4" fill="{fill}" stroke="#6b7280" stroke-width="0.8"/>'
                f'<text x="{x + 8}" y="{ys[k] + 16.5:.1f}" fill="#111827"{style}>{_x(_short(label))}</text>'
                f'<text x="{x + BOX_W - 8}" y="{ys[k] + 16.5:.1f}" fill="#4b5563" text-anchor="end">{tot[k]}</text>'
                "</g>"
            )
        parts.append("</g>")
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _empty() -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="120" viewBox="0 0 {WIDTH} 120" '
        'font-family="DejaVu Sans, Arial, Helvetica, sans-serif">\n'
        "<title>Trafficking routes: no routes found</title>\n"
        f'<rect x="0.5" y="0.5" width="{WIDTH - 1}" height="119" rx="6" fill="#f9fafb" stroke="#d1d5db"/>\n'
        f'<text class="empty" x="{WIDTH / 2:.0f}" y="66" font-size="18" fill="#6b7280" text-anchor="middle">'
        "No routes found</text>\n</svg>\n"
    )
