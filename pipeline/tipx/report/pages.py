"""HTML of the report pages: small, static, no script; every piece of data goes through ``esc``."""
from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from html import escape

from ..schema import LABELS

# label -> highlight colour; labels outside the schema get the plain mark colour
COLOURS = {
    "RECRUITER": "#fde68a",
    "PERPETRATOR": "#fca5a5",
    "VICTIM": "#bfdbfe",
    "VICTIM_ORIGIN": "#bbf7d0",
    "DESTINATION": "#c7d2fe",
    "AMOUNT_CURRENCY": "#fbcfe8",
    "STATUTE": "#ddd6fe",
    "SENTENCE": "#fed7aa",
}

CSS = """
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI","DejaVu Sans",Arial,sans-serif;color:#111827;background:#fff;margin:0}
main{max-width:1180px;margin:0 auto;padding:20px 28px 48px}
h1{font-size:1.55em;margin:.2em 0 .3em}
h2{font-size:1.2em;margin:1.6em 0 .5em;padding-bottom:.2em;border-bottom:1px solid #e5e7eb}
a{color:#1d4ed8}
nav.top{font-size:.9em;margin-bottom:.4em}
.muted{color:#6b7280}
.note{color:#92400e;background:#fffbeb;border:1px solid #fde68a;padding:.4em .7em;border-radius:4px}
table{border-collapse:collapse;margin:.4em 0 1em;font-size:.92em}
th,td{border:1px solid #e5e7eb;padding:.3em .55em;text-align:left;vertical-align:top}
th{background:#f9fafb;font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.cols{display:flex;flex-wrap:wrap;gap:0 40px}
.cols>section{flex:1 1 320px;min-width:0}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.15em 1em;margin:.5em 0}
dl.meta dt{color:#6b7280}
dl.meta dd{margin:0}
.bar{display:inline-block;height:.7em;background:#93c5fd;border-radius:2px;vertical-align:middle}
pre.cable{white-space:pre-wrap;overflow-wrap:anywhere;font:13.5px/1.6 "DejaVu Sans Mono",Menlo,Consolas,monospace;
  background:#fcfcfd;border:1px solid #e5e7eb;border-radius:6px;padding:14px 16px;margin:.4em 0 1em}
mark{background:#e5e7eb;color:inherit;border-radius:3px;padding:0 1px}
mark.ent{box-shadow:inset 0 -2px 0 rgba(0,0,0,.18)}
mark.ent::after{content:attr(data-label);font:600 9px/1 system-ui,"DejaVu Sans",sans-serif;color:#374151;
  vertical-align:super;margin-left:2px;letter-spacing:.02em}
.legend{display:flex;flex-wrap:wrap;gap:6px 14px;margin:.4em 0}
.legend mark{font-size:.85em;padding:1px 6px}
img.routes{max-width:100%;height:auto;border:1px solid #e5e7eb;border-radius:6px}
ul.plain{margin:0;padding-left:1.1em}
.chip{font-size:.75em;color:#374151;padding:0 4px;border-radius:3px}
""" + "".join(f"mark.{label},.chip.{label}{{background:{colour}}}\n" for label, colour in COLOURS.items())


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def esc(value: object) -> str:
    """HTML-escaped text (quotes included, so it is safe in attributes too), control characters
    (which HTML does not allow) shown as U+FFFD, one for one; None -> ''."""
    return "" if value is None else escape(_CONTROL.sub("\ufffd", str(value)), quote=True)


def label_class(label: object) -> str:
    """A label as a CSS class name: letters, digits, _ and - only."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", str(label or "")) or "UNLABELLED"


def label_order(labels: Iterable[str]) -> list[str]:
    """Schema labels in schema order, then any others alphabetically."""
    labels = set(labels)
    return [l for l in LABELS if l in labels] + sorted(l for l in labels if l not in LABELS)


def as_float(value: object) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def fmt_score(score: object) -> str:
    f = as_float(score)
    return "" if f is None else f"{f:.2f}"


def fmt_decimal(d: Decimal) -> str:
    """1,500 or 1,760.45: exact, with thousands separators, no trailing zeros."""
    d = d.normalize()
    return f"{d:,f}"


def plain_decimal(d: Decimal) -> str:
    return f"{d.normalize():f}"


def to_decimal(value: object) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


def page(title: str, body: str, root: str = "") -> str:
    """A whole HTML page; ``title`` is plain text (escaped here), ``body`` is HTML."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="tipx report">\n'
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[int] = (), cls: str = "",
          empty: str = "none") -> str:
    """A table from already-escaped cells; ``numeric`` columns are right-aligned."""
    rows = list(rows)
    if not rows:
        return f'<p class="muted">{esc(empty)}</p>'
    num = set(numeric)
    ncls = ' class="num"'

    def attr(i: int) -> str:
        return ncls if i in num else ""

    head = "".join(f"<th{attr(i)}>{h}</th>" for i, h in enumerate(headers))
    body = "\n".join("<tr>" + "".join(f"<td{attr(i)}>{c}</td>" for i, c in enumerate(row)) + "</tr>" for row in rows)
    tcls = f' class="{cls}"' if cls else ""
    return f"<table{tcls}>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def bar(n: int, peak: int, width: int = 160) -> str:
    w = 0 if peak <= 0 else max(1, round(width * n / peak))
    return f'<span class="bar" style="width:{w}px"></span>'


def legend(counts: Counter) -> str:
    items = "".join(
        f'<span class="legend-item"><mark class="key {label_class(l)}">{esc(l)}</mark> {counts[l]}</span>'
        for l in label_order(counts)
    )
    return f'<div class="legend">{items}</div>'


def json_list(raw: object) -> tuple[list, str | None]:
    """A JSON-array column as a list (numbers as Decimal, exactly), or ([], the raw text) when it
    is not a JSON array."""
    if raw is None or raw == "":
        return [], None
    if isinstance(raw, (bytes, bytearray)):
        raw = raw.decode("utf-8", "replace")
    try:
        value = json.loads(raw, parse_float=Decimal)
    except (TypeError, ValueError):
        return [], str(raw)
    return (value, None) if isinstance(value, list) else ([], str(raw))
