"""Seeded noising of clean training reports into the forms real cables arrive in.

Real cables reach users OCR'd from print, exported to markdown, wrapped in web pages, or with
their line breaks collapsed. The training corpus is written clean; this module makes noisy copies
whose annotations are shifted with the text, so the same gold holds on both.

A noisy copy is a list of *edits* on the clean text, ``(start, end, replacement)``, applied at
once. An edit never straddles an entity boundary: it lies wholly outside every entity, or wholly
inside one and touches only whitespace (a doubled space inside ``two  businesswomen`` is what
OCR'd print looks like). Offsets are then shifted by the length change of the edits before them
(for a start) or before and inside (for an end).

Profiles (one per copy, chosen by the seed):

``ocr``        doubled spaces, paragraph numbers with pilcrow debris (``11_1 .``, ``T2 .``,
               ``1[3 .``, ``%24 .``), page-break lines cutting paragraphs, header words split by
               spaces (``AMEMBAS S Y``), trailing spaces, a stray blank line inside a paragraph.
``markdown``   ``[TAG](#)`` links, ``\\$``, pilcrows (``¶2.``, ``¶13.`` for 3), list dashes, a
               page-break line, the last page block repeated after the signature.
``web``        a web archive's metadata block before the cable, the header block repeated, a
               blog's comment form after the signature.
``collapsed``  every line break collapsed into spaces, page-break lines left inline.
"""
from __future__ import annotations

import bisect
import random
import re
from collections.abc import Callable

PROFILES = ("ocr", "markdown", "web", "collapsed")

Edit = tuple[int, int, str]


class _Doc:
    def __init__(self, text: str, entities: list[dict]):
        self.text = text
        self.spans = sorted((e["start_offset"], e["end_offset"]) for e in entities)
        self._starts = [s for s, _ in self.spans]

    def inside(self, pos: int) -> tuple[int, int] | None:
        """The entity span strictly containing ``pos`` (start < pos < end), if any."""
        i = bisect.bisect_right(self._starts, pos) - 1
        if i >= 0:
            s, e = self.spans[i]
            if s < pos < e:
                return s, e
        return None

    def free(self, start: int, end: int) -> bool:
        """True when ``[start, end)`` overlaps no entity and cuts none."""
        if self.inside(start) or self.inside(end):
            return False
        i = bisect.bisect_left(self._starts, start)
        return not (i < len(self.spans) and self.spans[i][0] < end)


def _header_end(text: str) -> int:
    """Offset of the first numbered paragraph (or of the first blank line after SUBJECT)."""
    m = re.search(r"(?m)^\d{1,2}\.[ \t]", text)
    if m:
        return m.start()
    m = re.search(r"(?m)^SUBJECT:.*\n(?:.+\n)*\n", text)
    return m.end() if m else 0


def _post_and_serial(text: str, rng: random.Random) -> tuple[str, int]:
    m = re.search(r"(?m)^(?:UNCLAS|CONFIDENTIAL|SECRET)\S*(?:\s+SECTION\s+\d+\s+OF\s+\d+)?\s+([A-Z][A-Z ]+?)\s+0*(\d+)\s*$", text)
    if m:
        return m.group(1).strip(), int(m.group(2))
    m = re.search(r"(?m)^FM\s+AM\w+\s+([A-Z][A-Z ]+?)\s*$", text)
    return (m.group(1).strip() if m else "EMBASSY"), rng.randint(100, 2999)


def _page_break(post: str, serial: int, page: int, pages: int, dotted: bool) -> str:
    return f"{post} {serial:08d} {page:03d}{'.2' if dotted else ''} OF {pages:03d}"


def _paragraph_lines(text: str) -> list[re.Match]:
    return list(re.finditer(r"(?m)^(\d{1,2})\.(?=[ \t])", text))


def _debris(n: int, rng: random.Random) -> str:
    """A paragraph number as OCR may print it: the pilcrow becomes 1, 11, T, %, [ or _."""
    forms = [f"{n}.", f"1{n} .", f"11_{n} .", f"T{n} .", f"1[{n} .", f"%{n} .", f"11.{n}.", f"1.{n} ."]
    if n >= 10:
        a, b = str(n)[:-1], str(n)[-1]
        forms += [f"11{a}  {b}.", f"T{a} {b} .", f"11.{a}  {b}."]
    return rng.choice(forms)


def _line_breaks_in_paragraphs(text: str, start: int) -> list[int]:
    """Offsets of single line breaks inside a sentence of body text: a page break put there cuts a
    paragraph the reader can join again (one put after a full stop may start a new paragraph)."""
    return [start + m.start() for m in re.finditer(r"(?<=[^\s.!?:;\"'])\n(?=\S)", text[start:])]


def _wrap(doc: _Doc, rng: random.Random) -> list[Edit]:
    """Wrap body lines longer than a typewriter line at spaces, as printed cables are."""
    text = doc.text
    width = rng.randint(62, 72)
    edits: list[Edit] = []
    pos = _header_end(text)
    for line in re.finditer(r"(?m)^.*$", text[pos:]):
        s, e = pos + line.start(), pos + line.end()
        col_start = s
        while e - col_start > width:
            cut = text.rfind(" ", col_start, col_start + width)
            if cut <= col_start:
                break
            edits.append((cut, cut + 1, "\n"))
            col_start = cut + 1
    return edits


def _ocr(doc: _Doc, rng: random.Random) -> list[Edit]:
    text = doc.text
    edits: list[Edit] = []
    body = _header_end(text)
    # paragraph numbers with debris
    taken = set()
    for m in _paragraph_lines(text):
        if rng.random() < 0.6 and doc.free(m.start(), m.end() + 1):
            edits.append((m.start(), m.end(), _debris(int(m.group(1)), rng)))
            taken.add(m.start())
    # split header words
    for m in re.finditer(r"AMEMBASSY|USMISSION|AMCONSUL", text[:body]):
        if rng.random() < 0.4:
            word = m.group(0)
            cut = rng.randint(2, len(word) - 1)
            edits.append((m.start(), m.end(), f"{word[:cut]} {word[cut:cut + 1]} {word[cut + 1:]}".replace("  ", " ").strip()))
    # page-break lines at line breaks inside paragraphs
    post, serial = _post_and_serial(text, rng)
    breaks = [p for p in _line_breaks_in_paragraphs(text, body) if doc.free(p, p + 1)]
    pages = 1 + max(1, len(text) // 3000)
    for page, pos in enumerate(sorted(rng.sample(breaks, min(len(breaks), pages - 1))), 2):
        edits.append((pos, pos + 1, f"\n\n{_page_break(post, serial, page, pages, False)}\n\n"))
    # a stray blank line inside a paragraph
    rest = [p for p in breaks if all(p != e[0] for e in edits)]
    if rest and rng.random() < 0.5:
        pos = rng.choice(rest)
        edits.append((pos, pos + 1, "\n\n"))
    used = _covered(edits)
    # doubled spaces everywhere (inside entities too: whitespace only), trailing spaces on lines
    for m in re.finditer(r"(?<=\S) (?=\S)", text):
        if m.start() not in used and rng.random() < 0.35:
            edits.append((m.start(), m.end(), "  "))
    for m in re.finditer(r"(?<=\S)\n", text):
        if m.start() not in used and rng.random() < 0.5 and not doc.inside(m.start()):
            edits.append((m.start(), m.start(), " "))
    return edits


def _covered(edits: list[Edit]) -> set[int]:
    """Positions that existing edits start at or replace."""
    out: set[int] = set()
    for s, e, _ in edits:
        out.update(range(s, max(e, s + 1)))
    return out


def _markdown(doc: _Doc, rng: random.Random) -> list[Edit]:
    text = doc.text
    edits: list[Edit] = []
    body = _header_end(text)
    m = re.search(r"(?m)^TAGS:[ \t]*(.*)$", text)
    if m:
        tags = " ".join(f"[{t}](#)" for t in m.group(1).split())
        edits.append((m.start(1), m.end(1), tags))
    for m in _paragraph_lines(text):
        n = int(m.group(1))
        num = f"¶1{n}." if rng.random() < 0.15 and n < 10 else f"¶{n}."
        dash = "- " if rng.random() < 0.3 else ""
        if doc.free(m.start(), m.end() + 1):
            edits.append((m.start(), m.end(), dash + num))
    for m in re.finditer(r"\$", text):
        edits.append((m.start(), m.start(), "\\"))
    post, serial = _post_and_serial(text, rng)
    used = _covered(edits)
    breaks = [p for p in _line_breaks_in_paragraphs(text, body) if doc.free(p, p + 1) and p not in used]
    if breaks:
        pos = rng.choice(breaks)
        edits.append((pos, pos + 1, f"\n\n{_page_break(post, serial, 2, 2, True)}\n\n"))
    # the last page block repeated after the signature
    tail = text.rstrip()
    last_para = max((m.start() for m in _paragraph_lines(text)), default=None)
    if last_para is not None and rng.random() < 0.6:
        block = tail[last_para:]
        edits.append((len(text), len(text), f"\n\n{_page_break(post, serial, 2, 2, True)}\n\n{block}\n"))
    return edits


_WEB_PREAMBLE = (
    "Identifier\nCreated\nClassification\nOrigin\n{id}\n{date}\n{cls}\nEmbassy {post}\n"
    "Cable title:  \n\n{subject}\n\nTags:  {tags} \npdf how-to read a cable\n"
)
_WEB_TRAILER = (
    "\n\nComments (0)\n\nAdd a comment below; your e-mail address stays private.\n\n"
    "Name (required)\n\nSubmit comment\n\nThis entry was filed under Cables. Follow any responses through the feed.\n"
)


def _web(doc: _Doc, rng: random.Random) -> list[Edit]:
    text = doc.text
    edits: list[Edit] = []
    body = _header_end(text)
    post, serial = _post_and_serial(text, rng)
    subject = re.search(r"(?m)^SUBJECT:[ \t]*(.*)$", text)
    if subject is None:  # a report with no cable header: a web page would only add its trailer
        return [(len(text), len(text), _WEB_TRAILER)]
    tags = re.search(r"(?m)^TAGS:[ \t]*(.*)$", text)
    year = rng.randint(2004, 2010)
    pre = _WEB_PREAMBLE.format(
        id=f"{year % 100:02d}{post.replace(' ', '')}{serial}", date=f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} 10:00:00",
        cls="UNCLASSIFIED", post=post.title(), subject=subject.group(1).title() if subject else "", tags=tags.group(1) if tags else "")
    edits.append((0, 0, pre))
    # repeat the block from the banner to the header's end
    banner = re.search(r"(?m)^(?:UNCLAS|CONFIDENTIAL|SECRET)\b", text[:body])
    if banner and body > banner.start():
        edits.append((body, body, text[banner.start():body].rstrip() + "\n\n\n"))
    edits.append((len(text), len(text), _WEB_TRAILER))
    return edits


def _collapsed(doc: _Doc, rng: random.Random) -> list[Edit]:
    text = doc.text
    edits: list[Edit] = []
    post, serial = _post_and_serial(text, rng)
    body = _header_end(text)
    breaks = [p for p in _line_breaks_in_paragraphs(text, body) if doc.free(p, p + 1)]
    page_at = set(rng.sample(breaks, min(len(breaks), max(0, len(text) // 4000))))
    page = 2
    for m in re.finditer(r"[ \t]*\n+[ \t]*", text):
        if m.start() in page_at:
            edits.append((m.start(), m.end(), f"  {_page_break(post, serial, page, page + 1, False)}  "))
            page += 1
        else:
            double = m.start() < body or m.group(0).count("\n") > 1
            edits.append((m.start(), m.end(), "  " if double else " "))
    return edits


_PROFILE_FUNCS: dict[str, Callable[[_Doc, random.Random], list[Edit]]] = {
    "ocr": _ocr, "markdown": _markdown, "web": _web, "collapsed": _collapsed,
}


def apply_edits(text: str, entities: list[dict], edits: list[Edit]) -> tuple[str, list[dict]]:
    """Apply non-overlapping edits and shift entity offsets with them."""
    edits = sorted(edits, key=lambda e: (e[0], e[1]))
    for (s1, e1, _), (s2, _, _) in zip(edits, edits[1:]):
        if s2 < e1:
            raise ValueError(f"overlapping edits at {s1}-{e1} and {s2}")
    parts, pos = [], 0
    ends, deltas = [], []  # cumulative length change after each edit, by edit end
    total = 0
    for s, e, rep in edits:
        parts.append(text[pos:s])
        parts.append(rep)
        pos = e
        total += len(rep) - (e - s)
        ends.append(e)
        deltas.append(total)

    def shift(offset: int, is_end: bool) -> int:
        # A start moves with every edit that ends at or before it (an insertion right at it goes
        # before the entity); an end moves with the same edits, except an insertion right at it,
        # which goes after the entity.
        i = bisect.bisect_right(ends, offset)
        while is_end and i and edits[i - 1][0] == edits[i - 1][1] == offset:
            i -= 1
        return offset + (deltas[i - 1] if i else 0)

    parts.append(text[pos:])
    new = "".join(parts)
    shifted = []
    for ent in entities:
        s, e = ent["start_offset"], ent["end_offset"]
        shifted.append({**ent, "start_offset": shift(s, False), "end_offset": shift(e, True)})
    return new, shifted


def noisy_copy(text: str, entities: list[dict], profile: str, seed: int | str) -> tuple[str, list[dict]]:
    """The text in ``profile``'s noise, with entities shifted; same seed, same copy."""
    if profile not in _PROFILE_FUNCS:
        raise ValueError(f"unknown noise profile {profile!r}; known: {', '.join(PROFILES)}")
    rng = random.Random(f"{seed}:{profile}")
    new, shifted = text, entities
    if profile != "markdown" or rng.random() < 0.5:
        new, shifted = apply_edits(new, shifted, _wrap(_Doc(new, shifted), rng))
    new, shifted = apply_edits(new, shifted, _PROFILE_FUNCS[profile](_Doc(new, shifted), rng))
    for old, ent in zip(entities, shifted):
        before = re.sub(r"\s+", " ", text[old["start_offset"]:old["end_offset"]])
        after = re.sub(r"\s+", " ", new[ent["start_offset"]:ent["end_offset"]].replace("\\$", "$"))
        if before != after:  # a bug in an edit rule, never silently kept
            raise AssertionError(f"noise profile {profile} moved entity {before!r} to {after!r}")
    return new, shifted
