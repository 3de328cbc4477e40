"""Read a cable (or any report) into header fields and numbered paragraphs.

``read_cable(data, source)`` is the one entry point; every later stage (annotation, the spaCy
pipeline, batch runs) reads reports through it. The steps, each keeping an offset map back to
the raw text:

1. decode the bytes (:mod:`.decode`);
2. if it is an HTML page, drop tags, scripts and styles and decode entities;
3. make the *working text*: line breaks normalised, page-break lines
   (``ASTANA 00001246 002.2 OF 003``) dropped, and for a body whose line breaks were collapsed into
   spaces, line breaks put back before header fields and paragraph numbers;
4. read the header (:mod:`.header`) and find where the body starts;
5. cut the body into paragraphs and clean them (:mod:`.body`).

``Cable.body`` is the clean body text (paragraphs joined by blank lines) with the raw offset of
each character; ``Cable.raw_span(start, end)`` maps a span of it back to the raw text.
"""
from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from .body import Paragraph, segment_body
from .decode import CableReadError, decode_bytes
from .header import Header, scan_header
from .offsets import Builder, MappedText

#: A page-break line: post, the cable's serial padded to 8 digits, page ``002`` or ``002.2``, ``OF 006``.
PAGE_BREAK = r"[A-Z][A-Z.'-]*(?:[ \t]+[A-Z][A-Z.'-]*){0,3}[ \t]+\d{5,8}[ \t]+\d{3}(?:\.\d)?[ \t]+OF[ \t]+\d{3}"
_PAGE_BREAK_LINE = re.compile(rf"^[ \t]*{PAGE_BREAK}[ \t]*$", re.M)
_PAGE_BREAK_INLINE = re.compile(rf"(?<![A-Za-z0-9]){PAGE_BREAK}(?![A-Za-z0-9])")
_HTML_HINT = re.compile(r"<(?:!doctype\s+html|html|head|body|div|p|br|table|span)\b", re.I)
_HTML_DROP = re.compile(r"<(script|style|noscript|template)\b.*?</\1\s*>|<!--.*?-->", re.I | re.S)
_HTML_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)\b[^>]*>|<![^>]*>")
_HTML_BLOCK = {"p", "br", "div", "li", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "hr", "ul", "ol", "section", "article", "title", "td", "th"}
_HTML_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_COLLAPSED_HEADER_KEYS = re.compile(r"[ \t]+(?=(?:E\.O\.|TAGS:|SUBJECT:|SUBJ:|REF:|Classified By:|CLASSIFIED BY:|FM |TO |INFO |SIPDIS\b|SENSITIVE\b)\S?)")
_COLLAPSED_PARA = re.compile(r"(?:[ \t]{2,}|(?<=[.:\"”)])[ \t])(?=\d{1,3}\.[ \t]+(?:\([A-Z/]{1,8}\)|[A-Z\"“]))")
_CABLE_ID = re.compile(r"^\d{2}[A-Z]{3,}\d{1,6}$")


@dataclass
class Cable:
    source: str
    sha256: str
    encoding: str
    raw: str
    header: Header
    body: MappedText
    paragraphs: list[Paragraph] = field(default_factory=list)
    stem: str = ""

    @property
    def id(self) -> str:
        """The cable reference (``08ASTANA1246``) when the header gives it, else the file stem."""
        h = self.header
        post = h.banner_post or (h.origin or "")
        post = re.sub(r"^SECSTATE\b.*", "STATE", post)
        post = re.sub(r"[^A-Z]", "", post.upper())
        year = (self.date or "")[2:4]
        if year and post and h.serial:
            return f"{year}{post}{h.serial}"
        if h.preamble_id and _CABLE_ID.match(h.preamble_id):
            return h.preamble_id
        return self.stem

    @property
    def date(self) -> str | None:
        return self.header.date or self.header.preamble_date

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Raw offsets of ``body.text[start:end]``."""
        return self.body.raw_span(start, end)

    def to_record(self) -> dict:
        """The ``tipx parse`` JSON record."""
        h = self.header
        return {
            "source": self.source,
            "id": self.id,
            "sha256": self.sha256,
            "encoding": self.encoding,
            "date": self.date,
            "origin": h.origin,
            "classification": h.classification,
            "caveats": list(h.caveats),
            "tags": list(h.tags),
            "subject": h.subject,
            "refs": list(h.refs),
            "paragraphs": [
                {"number": p.number, "start": p.start, "end": p.end, "text": p.text,
                 "marking": p.marking, "section": p.section}
                for p in self.paragraphs
            ],
        }


def _strip_html(src: MappedText) -> MappedText:
    """Text of an HTML page: tags dropped (block tags become line breaks), entities decoded."""
    text = src.text
    out = Builder()
    pos = 0
    pattern = re.compile(f"{_HTML_DROP.pattern}|{_HTML_TAG.pattern}|{_HTML_ENTITY.pattern}", re.I | re.S)
    for m in pattern.finditer(text):
        out.copy(text, pos, m.start())
        token = m.group(0)
        if token.startswith("&"):
            out.put(html.unescape(token), m.start())
        else:
            name = (m.group(2) or "").lower()
            if name in _HTML_BLOCK:
                out.put("\n", m.start())
        pos = m.end()
    out.copy(text, pos, len(text))
    return out.build(len(text)).compose(src)


def _working_text(src: MappedText) -> MappedText:
    """Normalise line breaks, drop page-break lines, and restore breaks in a collapsed body."""
    text = src.text
    out = Builder()
    # 1. line breaks: CRLF and CR become LF
    pos = 0
    for m in re.finditer(r"\r\n?|\u2028|\u2029|\x0c", text):
        out.copy(text, pos, m.start())
        out.put("\n", m.start())
        pos = m.end()
    out.copy(text, pos, len(text))
    work = out.build(len(text)).compose(src)

    # 2. page-break lines go, with their line end
    text = work.text
    collapsed = len(text) > 120 and text.strip().count("\n") * 300 < len(text)
    pattern = _PAGE_BREAK_INLINE if collapsed else _PAGE_BREAK_LINE
    out = Builder()
    pos = 0
    for m in pattern.finditer(text):
        out.copy(text, pos, m.start())
        end = m.end()
        if not collapsed and end < len(text) and text[end] == "\n":
            end += 1
        elif collapsed:
            out.put("  ", m.start())
        pos = end
    out.copy(text, pos, len(text))
    work = out.build(len(text)).compose(work)
    if not collapsed:
        return work

    # 3. collapsed body: breaks back before header fields (in the header zone) and paragraphs
    text = work.text
    first_para = _COLLAPSED_PARA.search(text)
    header_zone = first_para.start() if first_para else min(len(text), 2000)
    cuts: list[tuple[int, int, str]] = []
    for m in _COLLAPSED_HEADER_KEYS.finditer(text, 0, header_zone):
        cuts.append((m.start(), m.end(), "\n"))
    for m in re.finditer(r"(?<!:)[ \t]{2,}", text[:header_zone]):
        cuts.append((m.start(), m.end(), "\n"))
    for m in _COLLAPSED_PARA.finditer(text):
        cuts.append((m.start(), m.end(), "\n\n"))
    cuts.sort()
    out = Builder()
    pos = 0
    for s, e, sep in cuts:
        if s < pos:
            continue
        out.copy(text, pos, s)
        out.put(sep, s)
        pos = e
    out.copy(text, pos, len(text))
    return out.build(len(text)).compose(work)


def _line_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    start = 0
    for m in re.finditer("\n", text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return spans


def read_cable(data: bytes, source: str = "<bytes>", stem: str | None = None) -> Cable:
    """Read a report's bytes. Raises :class:`CableReadError` with a one-line reason."""
    decoded = decode_bytes(data)
    raw = decoded.text
    src = MappedText.identity(raw)
    if _HTML_HINT.search(raw[:5000]) and len(_HTML_TAG.findall(raw[:20000])) >= 3:
        src = _strip_html(src)
    work = _working_text(src)
    spans = _line_spans(work.text)
    lines = [work.text[s:e] for s, e in spans]
    header = scan_header(lines)
    body_local, paragraphs = segment_body(work, header.body_line, spans)
    # Re-express paragraph offsets and the body map against the raw text.
    body = body_local.compose(work)
    for p in paragraphs:
        p.start = work.offsets[p.start]
        p.end = work.offsets[p.end - 1] + 1 if p.end > 0 else 0
    if not paragraphs:
        raise CableReadError("no text found after the header: the file holds no report body")
    return Cable(
        source=source,
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=decoded.encoding,
        raw=raw,
        header=header,
        body=body,
        paragraphs=paragraphs,
        stem=stem if stem is not None else Path(source).stem,
    )


def read_cable_file(path: str | Path) -> Cable:
    """Read a report from disk; errors name the file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise CableReadError(f"{path}: is a folder, not a file") from None
    except OSError as err:
        raise CableReadError(f"{path}: cannot read ({err.strerror or err})") from None
    try:
        return read_cable(data, source=path.name, stem=path.stem)
    except CableReadError as err:
        raise CableReadError(f"{path}: {err}") from None
