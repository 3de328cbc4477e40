"""The cable body: numbered paragraphs, repaired and cleaned, with offsets back to the raw text.

The body is cut into blocks at blank lines and at lines that start with a paragraph number. Each
block is a numbered paragraph, an unnumbered paragraph (before the first number, or in a report
with no numbers at all), a section heading, the signature, or the continuation of the paragraph
before it (a paragraph cut by a page break or an OCR'd blank line reads as one again).

Paragraph numbers are read as OCR prints them (``11_1 .``, ``T2 .``, ``1[8 .``, ``%25 .``,
``112  3.``, ``¶17.``): the digits of the token are a pilcrow's debris followed by the number, so
the number is a *suffix* of the digits. Of the suffixes, the one that continues the sequence
(previous + 1) wins; failing that, a small gap (a paragraph lost in the source) is allowed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .offsets import Builder, MappedText

#: Characters OCR makes of a pilcrow or a list bullet in front of a paragraph number.
_NUMBER_DEBRIS = set("0123456789Tl|I[]_%¶§!J'`. \t")
_PARA_START = re.compile(r"^(?P<indent>[ \t]*(?:[-*•][ \t]+)?(?:\\?¶[ \t]*)?)(?P<tok>[^\s(][^\n]{0,11}?)\.(?=[ \t]|$)")
_MARKING = re.compile(r"^\((?P<m>[A-Z]{1,4}(?:/{1,2}[A-Z]{1,6})?)\)[ \t]*")
_MD_LINK = re.compile(r"\[([^\]\n]*)\]\((?:#|https?://[^)\s]*|[^)\s]{0,200})\)")
_MD_ESCAPE = re.compile(r"\\([$_*#\[\]()&\\~`])")
_SENTENCE_END = re.compile(r"""[.!?:;]["'”’)\]]*$""")
#: Largest jump between consecutive paragraph numbers taken as a paragraph lost in the source.
MAX_NUMBER_GAP = 3


@dataclass
class Paragraph:
    number: int | None
    start: int          # raw offset of the paragraph's first character (its number, if any)
    end: int            # raw offset just past its last character
    text: str           # cleaned text, without number and classification marking
    marking: str | None = None   # (C), (SBU), (U) ...
    section: str | None = None   # the heading the paragraph sits under, if any
    clean_start: int = 0         # offsets of ``text`` in the cable's clean body text
    clean_end: int = 0


@dataclass
class _Block:
    lines: list[tuple[int, int]]  # (start, end) working offsets of each line, end without "\n"
    number_token: str | None = None
    token_span: tuple[int, int] | None = None  # working offsets of the number token


def number_candidates(token: str) -> list[int]:
    """Values a printed paragraph-number token may stand for: suffixes of its digits."""
    digits = re.sub(r"\D", "", token)
    return [int(digits[i:]) for i in range(len(digits)) if digits[i:]]


def assign_numbers(tokens: list[str | None]) -> list[int | None]:
    """Read a document's paragraph-number tokens as one sequence.

    ``tokens[i]`` is the printed token of block ``i`` (None for a block without one). Each token
    may stand for any suffix of its digits or be no number at all (a line of text that happens to
    start with digits). The reading chosen accepts the most tokens as a rising sequence whose steps
    are at most ``MAX_NUMBER_GAP``; among equals, the one with the smallest gaps, then (for tokens
    with OCR debris) the one that starts lowest. Ties go to the earliest tokens, so a page block
    repeated after the signature is not taken for the original.
    """
    # best_end[value] = (score, token index, value) of the best sequence ending with that value
    best_end: dict[int, tuple[tuple[int, int, int], int]] = {}
    back: dict[tuple[int, int], tuple[int, int] | None] = {}
    scores: dict[tuple[int, int], tuple[int, int, int]] = {}
    for i, tok in enumerate(tokens):
        if tok is None:
            continue
        clean = tok.strip().isdigit()
        cands = number_candidates(tok)
        updates = []
        for rank, v in enumerate(cands):
            if not 1 <= v <= 999:
                continue
            start_pen = 0 if (clean and rank == 0) else v - 1
            best = ((1, 0, -start_pen), None)
            for p in range(max(1, v - MAX_NUMBER_GAP), v):
                if p in best_end:
                    (cnt, gaps, pen), j = best_end[p]
                    cand = ((cnt + 1, gaps - (v - p - 1), pen), (j, p))
                    if cand[0] > best[0]:
                        best = cand
            scores[(i, v)] = best[0]
            back[(i, v)] = best[1]
            updates.append((v, best[0]))
        for v, sc in updates:
            if v not in best_end or sc > best_end[v][0]:
                best_end[v] = (sc, i)
    result: list[int | None] = [None] * len(tokens)
    if not scores:
        return result
    top = max(scores.values())
    node = min(k for k, sc in scores.items() if sc == top)
    while node is not None:
        i, v = node
        result[i] = v
        node = back[node]
    return result


def _number_token(line: str) -> tuple[str, int, int, int] | None:
    """``(token, token_start, token_end, text_start)`` when ``line`` starts like a numbered paragraph."""
    m = _PARA_START.match(line)
    if not m:
        return None
    tok = m.group("tok")
    if not set(tok) <= _NUMBER_DEBRIS or not re.search(r"\d", tok) or not re.search(r"\d[ \t]*$", tok):
        return None
    if len(re.sub(r"\D", "", tok)) > 6:
        return None
    rest_at = m.end() + 1
    rest = line[rest_at:].lstrip(" \t")
    if rest and not re.match(r"""[(A-Z"'“‘\[0-9]""", rest):
        return None
    return tok, m.start("tok"), m.end("tok"), rest_at + (len(line) - rest_at - len(rest))


def _is_heading(text: str) -> bool:
    words = text.split()
    if not words or len(words) > 12 or len(text) > 100:
        return False
    if re.fullmatch(r"[-=_*~. ]+", text):
        return True
    if _SENTENCE_END.search(text) and not text.endswith(":") and not (_mostly_upper(text) and len(words) > 1):
        return False
    return not text[0].islower()


def _mostly_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def _is_signature(text: str) -> bool:
    words = text.split()
    return 1 <= len(words) <= 3 and all(re.fullmatch(r"[A-Z][A-Z'.-]+", w) for w in words)


def clean_lines(work: MappedText, lines: list[tuple[int, int]], out: Builder) -> None:
    """Append the cleaned text of ``lines`` to ``out``: one space for any whitespace run and line
    break, markdown links and escapes undone, a hyphen at a line end joined to the next line."""
    text = work.text
    for idx, (s, e) in enumerate(lines):
        line = text[s:e]
        # Undo markdown remnants, keeping offsets: walk the line and copy kept characters.
        pos = 0
        for m in re.finditer(f"{_MD_LINK.pattern}|{_MD_ESCAPE.pattern}", line):
            _copy_spaced(text, s + pos, s + m.start(), out)
            if m.group(1) is not None:
                _copy_spaced(text, s + m.start(1), s + m.end(1), out)
            else:
                out.put(m.group(2), s + m.start(2))
            pos = m.end()
        _copy_spaced(text, s + pos, e, out)
        if idx + 1 < len(lines):
            if out.last_char() == "-" and len(out) > 1 and text[lines[idx + 1][0]:lines[idx + 1][1]].lstrip()[:1].islower():
                continue  # "state-\norganized" -> "state-organized"
            if out.last_char() not in ("", " "):
                out.put(" ", e)
    out.rstrip(" ")


def _copy_spaced(text: str, start: int, end: int, out: Builder) -> None:
    """Copy ``text[start:end]`` collapsing whitespace runs to one space (none at the start)."""
    i = start
    while i < end:
        j = i
        while j < end and not text[j].isspace():
            j += 1
        out.copy(text, i, j)
        if j >= end:
            break
        k = j
        while k < end and text[k].isspace():
            k += 1
        if out.last_char() not in ("", " "):
            out.put(" ", j)
        i = k


def split_blocks(work: MappedText, first_line: int, line_spans: list[tuple[int, int]]) -> list[_Block]:
    """Cut body lines into blocks at blank lines and at paragraph-number lines."""
    blocks: list[_Block] = []
    cur: _Block | None = None
    text = work.text
    for s, e in line_spans[first_line:]:
        line = text[s:e]
        if not line.strip():
            cur = None
            continue
        tok = _number_token(line)
        if tok is not None or cur is None:
            cur = _Block(lines=[])
            blocks.append(cur)
            if tok is not None:
                cur.number_token = tok[0]
                cur.token_span = (s + tok[1], s + tok[2])
                cur.lines.append((s + tok[3], e))
                continue
        cur.lines.append((s, e))
    return blocks


def segment_body(work: MappedText, first_line: int, line_spans: list[tuple[int, int]]) -> tuple[MappedText, list[Paragraph]]:
    """Paragraphs of the body starting at line ``first_line``, and the clean body text they make.

    The clean body text is the paragraphs' texts joined by blank lines; its offsets point into
    ``work`` (compose with ``work``'s own offsets for raw offsets).
    """
    blocks = split_blocks(work, first_line, line_spans)
    # Decide the numbers first: a number token that does not fit the sequence is text.
    numbers = assign_numbers([b.number_token for b in blocks])
    for b, n in zip(blocks, numbers):
        if b.number_token is not None and n is None:
            b.lines[0] = (b.token_span[0], b.lines[0][1])
            b.number_token = None
    last_numbered = max((i for i, n in enumerate(numbers) if n is not None), default=-1)

    out = Builder()
    paragraphs: list[Paragraph] = []
    section: str | None = None
    current: Paragraph | None = None
    seen_number = False
    text = work.text

    def block_text(b: _Block) -> str:
        return " ".join(text[s:e].strip() for s, e in b.lines).strip()

    for i, (b, n) in enumerate(zip(blocks, numbers)):
        signed = False
        if seen_number and i >= last_numbered and len(b.lines) > 1:
            for k in range(1, len(b.lines)):
                s_, e_ = b.lines[k]
                if _is_signature(text[s_:e_].strip()) and _SENTENCE_END.search(text[b.lines[k - 1][0]:b.lines[k - 1][1]].rstrip()):
                    b.lines = b.lines[:k]
                    signed = True
                    break
        plain = block_text(b)
        if n is None:
            ends_open = current is not None and not _SENTENCE_END.search(out.tail(4))
            if seen_number and i > last_numbered and _is_signature(plain):
                break  # the signature: what follows is a wrapper or a repeated page block
            if not ends_open and _is_heading(plain):
                heading = re.sub(r"\s*[-=_*~]{3,}\s*", " ", plain).strip()
                if heading:
                    section = re.sub(r"\s+", " ", heading)
                continue
            if current is not None and (seen_number or ends_open or plain[:1].islower()):
                # continuation of the paragraph before (cut by a page break or a stray blank line)
                if out.last_char() not in ("", " "):
                    out.put(" ", current.end)
                clean_lines(work, b.lines, out)
                current.end = b.lines[-1][1]
                current.clean_end = len(out)
                if signed:
                    break
                continue
        # a new paragraph
        if paragraphs:
            out.put("\n\n", paragraphs[-1].end)
        start = b.token_span[0] if b.token_span else b.lines[0][0]
        marking = None
        lines = list(b.lines)
        if n is not None:
            seen_number = True
            first = text[lines[0][0]:lines[0][1]]
            m = _MARKING.match(first)
            if m:
                marking = m.group("m")
                lines[0] = (lines[0][0] + m.end(), lines[0][1])
        clean_start = len(out)
        clean_lines(work, lines, out)
        current = Paragraph(number=n, start=start, end=lines[-1][1], text="", marking=marking,
                            section=section, clean_start=clean_start, clean_end=len(out))
        paragraphs.append(current)
        if signed:
            break
    body = out.build(len(work.text))
    for p in paragraphs:
        p.text = body.text[p.clean_start:p.clean_end]
        p.end = _rstrip_offset(work.text, p.end)
    return body, paragraphs


def _rstrip_offset(text: str, end: int) -> int:
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return end
