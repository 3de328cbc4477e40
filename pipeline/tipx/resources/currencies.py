"""Currency vocabulary and amount normalisation, generated from maintained data.

The vocabulary is ISO 4217 as ``pycountry.currencies`` carries it (codes and names), merged with the
team-written ``currency_forms.json`` (signs such as ``$`` and ``S$``, abbreviations such as ``Rs.`` and
``KD``, local word forms such as ``tenge``/``som``, irregular plurals, and the reading chosen for each
ambiguous form) and with ``demonyms.json`` (``Kuwaiti dinars`` -> KWD).

The same table serves two users:

* ``build_patterns.py`` writes the AMOUNT_CURRENCY span_ruler patterns from it;
* the case records call :func:`normalize_amount` to turn a matched span into a value and a code::

    >>> normalize_amount("150 to 200 som")
    {'value': None, 'min': 150.0, 'max': 200.0, 'currency': 'KGS'}
    >>> normalize_amount("Rs. 20,000", country="PK")["currency"]
    'PKR'

An ambiguous form (``Rs.``, ``pesos``, ``dinars``, ``CFA francs``) gives ``currency: None`` unless a
qualifier in the text (``Sri Lankan rupees``) or the ``country`` hint (ISO alpha-2 of the cable's
country) picks one of its candidates.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

RESOURCES = Path(__file__).resolve().parent
FORMS_FILE = RESOURCES / "currency_forms.json"
DEMONYMS_FILE = RESOURCES / "demonyms.json"
CITIES_FILE = RESOURCES / "cities.json"

#: ISO 4217 entries that are funds, metals, accounting units or test codes, not money people pay.
NON_CURRENCY_CODES = frozenset({
    "BOV", "CHE", "CHW", "CLF", "COU", "MXV", "USN", "UYI", "UYW", "XAD", "XAG", "XAU", "XBA", "XBB",
    "XBC", "XBD", "XDR", "XPD", "XPT", "XSU", "XTS", "XUA", "XXX",
})

#: Words of an ISO name that are not the currency noun (``Pound Sterling`` -> pound).
_NAME_NOISE = frozenset({"sterling", "oro", "soberano", "beac", "bceao", "omani", "uruguayo", "convertible"})
#: ISO names whose noun is not a useful word of its own (``Zimbabwe Gold``).
_NO_HEAD = frozenset({"gold", "silver", "mvdol"})

NUMBER_WORDS: dict[str, int] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
#: Multipliers written after a number (``1.5 million``, ``4 lakh``, ``$2m``).
SCALES: dict[str, float] = {
    "hundred": 100.0, "thousand": 1e3, "k": 1e3, "lakh": 1e5, "lakhs": 1e5, "lac": 1e5, "lacs": 1e5,
    "million": 1e6, "millions": 1e6, "mln": 1e6, "mn": 1e6, "m": 1e6, "crore": 1e7, "crores": 1e7,
    "billion": 1e9, "bln": 1e9, "bn": 1e9, "trillion": 1e12,
}
#: Words that join the two ends of a range.
RANGE_WORDS = frozenset({"to", "and", "-", "–", "—", "through", "or"})


@dataclass(frozen=True)
class Reading:
    """How a written form reads: a default code (or None) and the codes it may stand for."""

    default: str | None
    candidates: tuple[str, ...]
    factor: float | None = 1.0  # subunits: cents = 0.01; None = depends on the code (fils)

    def resolve(self, country: str | None = None, unions: dict[str, frozenset[str]] | None = None) -> str | None:
        """The code for ``country`` (alpha-2, or an ISO code given by a qualifier), else the default."""
        if country:
            country = country.upper()
            if country in self.candidates:
                return country
            for code in self.candidates:
                if code[:2] == country or (unions and country in unions.get(code, ())):
                    return code
        return self.default


def _reading(value, default_if_single: bool = True) -> Reading:
    if isinstance(value, str):
        return Reading(value, (value,))
    if isinstance(value, list):
        cands = tuple(value)
        return Reading(cands[0] if (default_if_single and len(cands) == 1) else None, cands)
    if isinstance(value, dict):
        cands = tuple(value.get("candidates") or ([value["default"]] if value.get("default") else []))
        return Reading(value.get("default"), cands, value.get("factor", 1.0))
    raise ValueError(f"{FORMS_FILE.name}: cannot read currency form value {value!r}")


def fold(text: str) -> str:
    """Accents dropped (``bolívar`` -> ``bolivar``, ``İstanbul`` -> ``Istanbul``)."""
    text = text.replace("ı", "i").replace("ł", "l").replace("ø", "o").replace("đ", "d").replace("ß", "ss")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def plural_forms(word: str, irregular: dict[str, list[str]]) -> list[str]:
    """``word`` and its plurals: the listed irregular ones plus the regular +s/+es form."""
    forms = [word, *irregular.get(word, [])]
    head, _, last = word.rpartition(" ")
    if not (word in irregular and " " in word):
        reg = last + ("es" if last.endswith(("s", "x", "z", "ch", "sh")) else "s")
        forms.append(f"{head} {reg}".strip())
        if head and last in irregular:
            forms.extend(f"{head} {p}" for p in irregular[last])
    out: list[str] = []
    for f in forms:
        for g in (f, fold(f)):
            if g not in out:
                out.append(g)
    return out


class CurrencyTable:
    """Every written form of money this project reads, with its reading."""

    def __init__(self, forms: dict, demonyms: dict, country_aliases: dict):
        import pycountry

        irregular = {k: v for k, v in forms.get("plurals", {}).items() if not k.startswith("_")}
        self.three_decimal = frozenset(forms.get("three_decimal_currencies", []))
        self.unions = {k: frozenset(v) for k, v in forms.get("currency_unions", {}).items() if not k.startswith("_")}

        # -- codes ---------------------------------------------------------------------------
        self.iso_codes: dict[str, str] = {}
        names: dict[str, str] = {}
        heads: dict[str, list[str]] = {}
        for cur in pycountry.currencies:
            code = cur.alpha_3
            if code in NON_CURRENCY_CODES:
                continue
            self.iso_codes[code] = code
            name = re.sub(r"\s*\(.*?\)", "", cur.name).replace("’", "'").strip().lower()
            words = [w for w in name.split() if w not in _NAME_NOISE]
            if not words or words[-1] in _NO_HEAD:
                continue
            if len(name.split()) > 1:
                names[name] = code
            head = words[0] if name.split()[-1] in _NAME_NOISE else words[-1]
            heads.setdefault(head, []).append(code)
            if name == "yuan renminbi":
                heads.setdefault("renminbi", []).append(code)
        historic = {k: v for k, v in forms.get("historic_codes", {}).items() if not k.startswith("_")}
        self.codes: dict[str, str] = {**self.iso_codes, **historic}
        stop = set(forms.get("code_stoplist", {}).get("codes", []))
        #: Codes matched as a bare prefix/suffix token (``USD 2,500``, ``2,500 USD``).
        self.pattern_codes = sorted(c for c in self.codes if c not in stop)

        # -- signs and abbreviations (case-sensitive, before the number) ------------------------
        self.signs = {k: _reading(v) for k, v in forms.get("signs", {}).items()}
        self.abbreviations = {k: _reading(v) for k, v in forms.get("abbreviations", {}).items()}

        # -- words (case-insensitive, after the number) -------------------------------------------
        team_words = {k.lower(): v for k, v in forms.get("words", {}).items()}
        words: dict[str, Reading] = {}
        for head, codes in heads.items():
            if head not in team_words:
                words[head] = Reading(codes[0] if len(codes) == 1 else None, tuple(codes))
        for name, code in names.items():
            words[name] = Reading(code, (code,))
        for w, v in team_words.items():
            words[w] = _reading(v)
        self.words: dict[str, Reading] = {}
        for w, r in words.items():
            for form in plural_forms(w, irregular):
                self.words.setdefault(form, r)
        eng = {w.lower() for w in forms.get("english_words", {}).get("words", [])}
        #: Word forms that are also ordinary English words (``won``, ``real``, ``pounds``).
        self.english_words = frozenset(f for w in eng for f in plural_forms(w, irregular))

        # -- qualifiers: the word before a currency word that names its country ----------------
        quals: dict[str, str] = {}
        for cc, forms_ in demonyms.items():
            if cc.startswith("_"):
                continue
            for f in forms_:
                key = f.lower()
                quals[key] = "" if key in quals and quals[key] != cc else cc  # "" = ambiguous
        for c in pycountry.countries:
            for attr in ("name", "common_name"):
                n = getattr(c, attr, None)
                if n and "," not in n:
                    quals.setdefault(n.lower(), c.alpha_2)
        for cc, aliases in country_aliases.items():
            for a in aliases:
                quals.setdefault(a.lower(), cc)
        for k, v in forms.get("qualifiers", {}).items():
            if not k.startswith("_"):
                quals[k.lower()] = v
        self.qualifiers = {k: v for k, v in quals.items() if v}
        for k in list(self.qualifiers):
            self.qualifiers.setdefault(fold(k), self.qualifiers[k])

        self._build_regexes()

    # -- matching --------------------------------------------------------------------------------
    def _build_regexes(self) -> None:
        def alt(forms):
            return "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in sorted(forms, key=lambda f: (-len(f), f)))

        cs_forms = set(self.signs) | set(self.abbreviations) | set(self.codes)
        self._cs = re.compile(rf"(?<![A-Za-z])(?:{alt(cs_forms)})(?![A-Za-z])")
        self._ci = re.compile(rf"(?<![A-Za-z])(?:{alt(self.words)})(?![A-Za-z])", re.IGNORECASE)
        self._qual = re.compile(rf"(?<![A-Za-z.])({alt(self.qualifiers)})\s+$", re.IGNORECASE)

    def reading_of(self, form: str) -> Reading | None:
        if form in self.signs:
            return self.signs[form]
        if form in self.abbreviations:
            return self.abbreviations[form]
        if form in self.codes:
            code = self.codes[form]
            return Reading(code, (code,))
        return self.words.get(re.sub(r"\s+", " ", form.lower()))

    def find(self, text: str) -> list[tuple[int, int, str, Reading]]:
        """Currency forms in ``text``: (start, end, form, reading), leftmost-longest, no overlaps."""
        hits = []
        for rx in (self._cs, self._ci):
            for m in rx.finditer(text):
                r = self.reading_of(m.group(0))
                if r is not None:
                    hits.append((m.start(), m.end(), m.group(0), r))
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        out, end = [], -1
        for h in hits:
            if h[0] >= end:
                out.append(h)
                end = h[1]
        return out

    def qualifier_before(self, text: str) -> str | None:
        """Country (alpha-2) or code named by the qualifier that ends ``text`` (``... Sri Lankan ``)."""
        m = self._qual.search(text)
        if not m:
            return None
        key = re.sub(r"\s+", " ", m.group(1).lower())
        return self.qualifiers.get(key) or self.qualifiers.get(fold(key))


@lru_cache(maxsize=1)
def currency_table() -> CurrencyTable:
    """The merged table (pycountry + currency_forms.json + demonyms.json), built once."""
    forms = json.loads(FORMS_FILE.read_text(encoding="utf-8"))
    demonyms = json.loads(DEMONYMS_FILE.read_text(encoding="utf-8"))
    aliases = json.loads(CITIES_FILE.read_text(encoding="utf-8")).get("country_aliases", {})
    return CurrencyTable(forms, demonyms, aliases)


# -- numbers -------------------------------------------------------------------------------------

_NUM_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[A-Za-z]+|[-–—]")


def parse_number(token: str, code: str | None = None, scaled: bool = False) -> float:
    """A written number: ``1,900``, ``1.200`` (thousands, where unambiguous), ``2.5``, ``1.000,50``.

    A lone ``.ddd`` group is read as thousands (``R$ 1.200`` -> 1200) unless the currency has three
    decimals (``KD 1.500`` -> 1.5) or a multiplier follows (``1.250 million`` -> 1.25 million).
    A lone ``,d``/``,dd`` group is a decimal comma (``1,5`` -> 1.5).
    """
    s = token.strip().rstrip("/-")
    if "," in s and "." in s:
        dec = "," if s.rfind(",") > s.rfind(".") else "."
        thou = "." if dec == "," else ","
        return float(s.replace(thou, "").replace(dec, "."))
    for sep in (",", "."):
        if sep in s:
            parts = s.split(sep)
            if len(parts) > 2:
                return float(s.replace(sep, ""))
            head, tail = parts
            if len(tail) == 3 and 1 <= len(head) <= 3 and head != "0":
                if sep == "," or not (scaled or (code in currency_table().three_decimal)):
                    return float(head + tail)
            return float(f"{head}.{tail}")
    return float(s)


def _group_value(tokens: list[str], code: str | None) -> tuple[float, float, float] | None:
    """(value, last multiplier, number before that multiplier) of one number's tokens."""
    total, current, last_scale, base = 0.0, 0.0, 1.0, None
    have = False
    for i, tok in enumerate(tokens):
        low = tok.lower()
        nxt = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
        if tok[0].isdigit():
            current = parse_number(tok, code, scaled=nxt in SCALES and nxt != "hundred")
            have = True
        elif low in NUMBER_WORDS:
            current += NUMBER_WORDS[low]
            have = True
        elif low == "a" and nxt in SCALES:
            current = 1.0
            have = True
        elif low == "hundred":
            current = (current or 1.0) * 100
            have = True
        elif low in SCALES:
            base = current or 1.0
            total += base * SCALES[low]
            last_scale, current = SCALES[low], 0.0
            have = True
    if not have:
        return None
    return total + current, last_scale, (base if base is not None else total + current)


def _number_groups(text: str) -> list[list[str]]:
    tokens = _NUM_TOKEN.findall(text)
    groups: list[list[str]] = []
    cur: list[str] = []

    def numeric(t: str) -> bool:
        lo = t.lower()
        return t[0].isdigit() or lo in NUMBER_WORDS or lo in SCALES or lo == "a"

    for i, tok in enumerate(tokens):
        low = tok.lower()
        if numeric(tok) and not (low == "a" and (i + 1 >= len(tokens) or tokens[i + 1].lower() not in SCALES)):
            if cur and tok[0].isdigit() and any(t[0].isdigit() for t in cur):
                groups.append(cur)
                cur = []
            cur.append(tok)
        elif low in RANGE_WORDS:
            nxt = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
            prev = cur[-1].lower() if cur else ""
            compound = (low == "-" and prev in NUMBER_WORDS and NUMBER_WORDS[prev] >= 20 and nxt in NUMBER_WORDS
                        and NUMBER_WORDS[nxt] < 10) or (
                low == "and" and prev in ("hundred", "thousand") and nxt in NUMBER_WORDS)
            if not compound and cur:
                groups.append(cur)
                cur = []
        # any other word (about, approximately, fine, of, US ...) is skipped
    if cur:
        groups.append(cur)
    return groups


def normalize_amount(text: str, country: str | None = None) -> dict:
    """Value and ISO 4217 code of an amount span.

    Returns ``{"value", "min", "max", "currency"}``: ``value`` is the amount (None for a range),
    ``min``/``max`` its bounds (equal for a single amount), ``currency`` the ISO code or None when
    the form is ambiguous and neither a qualifier (``Argentine pesos``) nor ``country`` (alpha-2)
    picks a candidate. A text with no number gives None for all three numbers.
    """
    table = currency_table()
    t = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()
    hits = table.find(t)
    code: str | None = None
    factor: float | None = 1.0
    if hits:
        start, _, form, reading = hits[0]
        qual = table.qualifier_before(t[:start]) if form not in table.signs else None
        code = reading.resolve(qual or country, table.unions)
        if code is None and qual:
            code = reading.resolve(country, table.unions)
        factor = reading.factor
    if factor is None:
        factor = (0.001 if code in table.three_decimal else 0.01) if code else None
    rest = t
    for start, end, _, _ in reversed(hits):
        rest = rest[:start] + " " + rest[end:]
    groups = [g for g in (_group_value(g, code) for g in _number_groups(rest)) if g is not None]
    if not groups or factor is None:
        return {"value": None, "min": None, "max": None, "currency": code}
    if len(groups) == 1:
        v = _round(groups[0][0] * factor)
        return {"value": v, "min": v, "max": v, "currency": code}
    (lo, lo_scale, _), (hi, hi_scale, hi_base) = groups[0], groups[-1]
    if lo_scale == 1.0 and hi_scale > 1.0 and lo <= hi_base:
        lo *= hi_scale  # "1 to 3 million", "4 to 6 lakh"
    lo, hi = sorted((_round(lo * factor), _round(hi * factor)))
    return {"value": None, "min": lo, "max": hi, "currency": code}


def _round(x: float) -> float:
    """Drop binary noise (30 * 0.01 -> 0.3) without touching real precision."""
    return float(f"{x:.12g}") if abs(x) < 1e10 else round(x, 2)
