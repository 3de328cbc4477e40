"""The cable header: routing lines, classification banner, E.O., TAGS, SUBJECT, REF.

:func:`scan_header` walks the lines of a cable from the top and says where the header ends and
what it holds. It knows the *forms* of telegram header lines, not any cable's wording; OCR damage
it repairs is generic (doubled spaces, letters of a routing word split by spaces, markdown links).
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field

MONTHS = {m: i for i, m in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1)}

#: Words of telegram headers that OCR tends to split ("AMEMBAS S Y"); repaired before parsing.
_HEADER_WORDS = ("AMEMBASSY", "AMCONSUL", "USMISSION", "SECSTATE", "UNCLASSIFIED", "UNCLAS",
                 "CONFIDENTIAL", "SECRET", "SUBJECT", "SENSITIVE", "SIPDIS", "CLASSIFIED", "COLLECTIVE",
                 "WASHDC", "NOFORN", "SECTION")
_SPLIT_WORD = re.compile("|".join(r"\b" + r"[ \t]?".join(w) + r"\b" for w in _HEADER_WORDS))

_MD_LINK = re.compile(r"\[([^\]\n]*)\]\([^)\n]*\)")
_MD_ESCAPE = re.compile(r"\\([$_*#\[\]()&\\])")

_DTG = re.compile(r"\b(\d{2})(\d{4})Z\s+([A-Z]{3})\s+(\d{2,4})\b")
_CLASS_WORD = r"(?:UNCLAS(?:SIFIED)?|CONFIDENTIAL|SECRET|TOP\s+SECRET|LIMITED\s+OFFICIAL\s+USE)"
_BANNER = re.compile(
    rf"^(?P<cls>{_CLASS_WORD})(?P<cav>(?:\s*//\s*[A-Z ]+?)*)"
    r"(?:\s+(?:E\s*F\s*T\s*O|SECTION\s+\d+\s+OF\s+\d+))*"
    r"(?:\s+(?P<post>[A-Z][A-Z .'-]*?)\s+0*(?P<num>\d{1,6}))?\s*$")
_FM = re.compile(r"^FM\s+(?:AMEMBASSY|AMCONSUL|AMCONSULATE|USMISSION|USOFFICE|USLO|AIT|USINT)?\s*(?P<post>[A-Z][A-Z .'/-]*?)\s*(?:\d+)?\s*$")
_DE = re.compile(r"^DE\s+\S+\s+#\s*(?P<num>\d{1,6})")
_FIELD = re.compile(r"^(?P<key>E\.?\s?O\.?(?=\s+\d)|TAGS|SUBJECT|SUBJ|REF|REFS|REFERENCE|Classified\s+By|CLASSIFIED\s+BY)\s*:?\s*(?P<value>.*)$", re.I)
_CABLE_ID = re.compile(r"\b(?P<yy>\d{2})(?P<post>[A-Z]{3,20})(?P<num>\d{1,6})\b")
_ISO_DATE = re.compile(r"\b(19[6-9]\d|20[0-4]\d)-(\d{2})-(\d{2})\b")
_ROUTING = re.compile(r"^(?:VZCZC\S*|[ROPZ]{1,2}\s+[A-Z ]+|[ROPZ]{1,2}|ZNR\b.*|ZNY\b.*|ZZH|ZFR\b.*|TO\s+.*|INFO\s+.*|R[A-Z]{3,}[A-Z]*/.*|[A-Z]{4,}/.*|BT|NNNN)$")
_SOLO_MARKERS = re.compile(r"^(?:SIPDIS|SENSITIVE|NOFORN|SENSITIVE\s+BUT\s+UNCLASSIFIED|E\s*F\s*T\s*O|FOR\s+OFFICIAL\s+USE\s+ONLY)\b.*$")
_ADDRESSEE = re.compile(r"^(?:[A-Z][A-Z/&.,'-]*\s+){0,6}(?:FOR|PASS\s+TO|ALSO\s+FOR)\s+\S.*$")

CAVEAT_NAMES = {
    "SENSITIVE": "SBU", "SBU": "SBU", "SENSITIVE BUT UNCLASSIFIED": "SBU",
    "FOR OFFICIAL USE ONLY": "FOUO", "FOUO": "FOUO", "SIPDIS": "SIPDIS", "NOFORN": "NOFORN",
    "NF": "NOFORN", "LIMITED OFFICIAL USE": "LOU", "EFTO": "EFTO", "ORCON": "ORCON", "REL TO": "REL TO",
}


def repair_line(line: str) -> str:
    """Generic OCR/markdown repair of a header line: links, escapes, split words, spaces."""
    line = _MD_LINK.sub(r"\1", line)
    line = _MD_ESCAPE.sub(r"\1", line)
    line = _SPLIT_WORD.sub(lambda m: re.sub(r"[ \t]", "", m.group(0)), line)
    line = re.sub(r"\s*/\s*", "/", line) if re.match(r"^(?:R[A-Z ]{3,}/|INFO|TO\s)", line) else line
    return re.sub(r"[ \t]+", " ", line).strip()


def parse_dtg(text: str) -> str | None:
    """ISO date from a date-time group such as ``241243Z OCT 08``."""
    for m in _DTG.finditer(text):
        day, month, year = int(m.group(1)), MONTHS.get(m.group(3)), int(m.group(4))
        if month is None:
            continue
        if year < 100:
            year += 2000 if year < 70 else 1900
        try:
            return _dt.date(year, month, day).isoformat()
        except ValueError:
            continue
    return None


def normalize_classification(word: str) -> tuple[str, list[str]]:
    """``UNCLAS`` -> ``UNCLASSIFIED``; LOU is unclassified with the LOU caveat."""
    word = re.sub(r"\s+", " ", word.upper())
    if word.startswith("UNCLAS"):
        return "UNCLASSIFIED", []
    if word == "LIMITED OFFICIAL USE":
        return "UNCLASSIFIED", ["LOU"]
    return word, []


def _caveat(text: str) -> str | None:
    text = re.sub(r"\s+", " ", text.strip().upper())
    return CAVEAT_NAMES.get(text, text or None)


@dataclass
class Header:
    """What the header says, and where (in the working text's lines) it ends."""

    date: str | None = None
    origin: str | None = None
    classification: str | None = None
    caveats: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    subject: str | None = None
    refs: list[str] = field(default_factory=list)
    serial: int | None = None
    banner_post: str | None = None
    preamble_id: str | None = None
    preamble_date: str | None = None
    found: bool = False
    #: index of the first line after the header (0 when there is no header)
    body_line: int = 0

    def add_caveat(self, value: str | None) -> None:
        if value and value not in self.caveats:
            self.caveats.append(value)


def _split_refs(value: str) -> list[str]:
    """``A) STATE 184972, B) 05 ALMATY 3112`` or ``2009 STATE 1; 2009 TASHKENT 2`` -> a list."""
    value = re.sub(r"(?:(?:^|(?<=[\s,;]))\(?[A-Z][.)]\s+)+", ";", value.strip().rstrip("."))
    return [p.strip() for p in re.split(r"[;,]", value) if p.strip()]


def _split_tags(value: str) -> list[str]:
    return [t for t in re.split(r"[\s,;]+", value) if t]


def scan_header(lines: list[str]) -> Header:
    """Parse header fields from the cable's lines and find where the body starts.

    ``lines`` are the working text's lines (without line ends). The header is the stretch of
    routing lines, banner and fields from the top; it ends after the last field line (banner,
    E.O., TAGS, SUBJECT and REF with their continuations, Classified By) that is followed by prose.
    A text with none of these has no header: the body is the whole text.
    """
    h = Header()
    # Find where the cable starts: VZCZC or the first routing/banner/field line near the top.
    start = next((i for i, raw in enumerate(lines[:400]) if raw.lstrip().startswith("VZCZC")), None)
    if start is None:
        for i, raw in enumerate(lines[:400]):
            line = repair_line(raw)
            m = _FIELD.match(line)
            if (_DTG.search(line) and re.match(r"^[ROPZ]{1,2}\s", line)) or _FM.match(line) or _BANNER.match(line) \
                    or (m and m.group("key").upper().startswith(("TAGS", "SUBJ"))):
                start = i
                break
    if start is None:
        return h
    for line in lines[:start]:
        line = repair_line(line)
        if h.preamble_id is None and (m := _CABLE_ID.search(line)):
            h.preamble_id = m.group(0)
        if h.preamble_date is None and (m := _ISO_DATE.search(line)):
            h.preamble_date = m.group(0)

    last_field_end = None  # index of the line after the last header field seen
    cont: str | None = None  # field whose value may continue on the next line
    prev_len = 0
    i = start
    n = len(lines)
    blank_run = 0
    while i < n:
        raw = lines[i]
        line = repair_line(raw)
        if not line:
            blank_run += 1
            if cont in ("REF", "REF_REPEAT", "TAGS"):
                cont = None
            i += 1
            continue
        # A paragraph number or long prose after the fields ends the header.
        upper_line = line.upper()
        m_field = _FIELD.match(line)
        if cont == "SUBJECT" and not m_field and not _BANNER.match(line) and _continues_subject(line, prev_len, h.subject or ""):
            h.subject = f"{h.subject} {line}".strip()
            prev_len = len(raw.rstrip())
            last_field_end = i + 1
            i += 1
            blank_run = 0
            continue
        if cont == "SUBJECT_REPEAT" and not m_field and not _BANNER.match(line) and _continues_subject(line, prev_len, h.subject or ""):
            prev_len = len(raw.rstrip())
            last_field_end = i + 1
            i += 1
            continue
        if cont == "CLASSIFIED BY" and blank_run and re.match(r"^(?:\d\.\d|REASONS?\b)", line, re.I) and not _looks_like_paragraph(line):
            blank_run = 0
            last_field_end = i + 1
            i += 1
            continue
        if cont in ("REF", "REF_REPEAT", "CLASSIFIED BY") and blank_run == 0 and not m_field and not _looks_like_paragraph(line):
            if cont == "REF":
                h.refs.extend(_split_refs(line))
            last_field_end = i + 1
            i += 1
            continue
        if cont == "TAGS" and blank_run == 0 and not m_field and re.fullmatch(r"[A-Z0-9 ,;/]+", line):
            h.tags.extend(t for t in _split_tags(line) if t not in h.tags)
            last_field_end = i + 1
            i += 1
            continue
        cont = None
        blank_run = 0
        if m_field:
            key = re.sub(r"\s+", " ", m_field.group("key").upper())
            value = m_field.group("value").strip()
            if key.startswith("E."):
                pass
            elif key == "TAGS":
                h.tags.extend(t for t in _split_tags(value) if t not in h.tags)
                cont = "TAGS"
            elif key in ("SUBJECT", "SUBJ"):
                repeat = h.subject is not None
                if not repeat:
                    h.subject = value
                cont = "SUBJECT_REPEAT" if repeat else "SUBJECT"
                prev_len = len(raw.rstrip())
            elif key.startswith("REF"):
                repeat = bool(h.refs)
                if not repeat:
                    h.refs = _split_refs(value)
                cont = "REF_REPEAT" if repeat else "REF"
            else:
                cont = "CLASSIFIED BY"
            h.found = True
            last_field_end = i + 1
            i += 1
            continue
        if (m := _BANNER.match(line)) and (m.group("post") or len(line) < 60):
            cls, cav = normalize_classification(m.group("cls"))
            if h.classification is None:
                h.classification = cls
            for c in cav:
                h.add_caveat(c)
            for c in re.split(r"//", m.group("cav") or ""):
                h.add_caveat(_caveat(c)) if c.strip() else None
            if m.group("post"):
                h.banner_post = h.banner_post or m.group("post").strip()
                h.serial = h.serial or int(m.group("num"))
            h.found = True
            last_field_end = i + 1
            i += 1
            continue
        if _SOLO_MARKERS.match(upper_line):
            for part in re.split(r"\s{2,}|\s*//\s*", upper_line):
                if part.strip() in CAVEAT_NAMES:
                    h.add_caveat(CAVEAT_NAMES[part.strip()])
            last_field_end = i + 1
            i += 1
            continue
        if (m := _FM.match(line)) and h.origin is None:
            h.origin = m.group("post").strip()
            h.found = True
            last_field_end = i + 1
            i += 1
            continue
        if m := _DE.match(line):
            h.serial = h.serial or int(m.group("num"))
            i += 1
            continue
        if h.date is None and re.match(r"^[ROPZ]{1,2}\s+\d{6}Z", line) and (d := parse_dtg(line)):
            h.date = d
            h.found = True
            last_field_end = i + 1
            i += 1
            continue
        if h.subject is None and (_ROUTING.match(line) or _ADDRESSEE.match(line) or re.match(r"^[A-Z0-9 /.,&'()-]+$", line)):
            # Routing and addressee lines before the subject: all capitals, part of the header.
            last_field_end = i + 1
            i += 1
            continue
        if h.subject is not None and _ADDRESSEE.match(line) and len(line) < 100 and i < (last_field_end or 0) + 3:
            last_field_end = i + 1
            i += 1
            continue
        # Anything else after the subject ends the header, unless a repeated header follows soon.
        if h.subject is not None or h.tags:
            if _repeat_follows(lines, i):
                i += 1
                continue
            break
        i += 1
    h.body_line = last_field_end if last_field_end is not None else start
    return h


def _looks_like_paragraph(line: str) -> bool:
    return bool(re.match(r"^\S{1,8}\s?\.\s+(?:\(|[A-Z])", line))


def _continues_subject(line: str, prev_len: int, subject: str) -> bool:
    """A wrapped SUBJECT goes on when the previous line was long and this one matches its case."""
    if prev_len < 50 or len(line) > 90 or _looks_like_paragraph(line):
        return False
    letters = [c for c in subject if c.isalpha()]
    upper_subject = letters and sum(c.isupper() for c in letters) > 0.8 * len(letters)
    line_letters = [c for c in line if c.isalpha()]
    if not line_letters:
        return False
    upper_line = sum(c.isupper() for c in line_letters) > 0.8 * len(line_letters)
    return bool(upper_subject) == upper_line and not line.endswith(":")


def _repeat_follows(lines: list[str], i: int, window: int = 12) -> bool:
    """True when a header field (SUBJECT/TAGS/banner) appears again within ``window`` lines."""
    for line in lines[i + 1:i + 1 + window]:
        line = repair_line(line)
        if _looks_like_paragraph(line):
            return False
        m = _FIELD.match(line)
        if m and m.group("key").upper().startswith(("SUBJ", "TAGS", "E.")) or _BANNER.match(line):
            return True
    return False
