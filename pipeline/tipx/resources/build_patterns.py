"""Write the span_ruler pattern files for AMOUNT_CURRENCY, STATUTE and SENTENCE.

    python -m tipx.resources.build_patterns            # rewrite patterns/{amount,statute,sentence}.jsonl
    python -m tipx.resources.build_patterns --check    # exit 1 when a file differs from what it would write

Rules are data: this script holds the *grammar* of each label (how a number, a currency and a range
line up; how an article number and a code name line up), the word lists come from
``currencies.py`` (pycountry's ISO 4217 plus ``currency_forms.json``) and ``demonyms.json``. Token
sequences are written against spaCy's English tokenizer (``$400`` is ``$`` ``400``; ``S$2,900`` and
``Rs.20,000`` are one token; ``years'`` is ``years`` ``'``), which is checked when the file is built.

Every pattern is general: nothing here is aimed at the wording of a particular cable.
"""
from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
from pathlib import Path

import spacy

if __package__ in (None, ""):  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tipx.resources.currencies import NUMBER_WORDS, currency_table  # noqa: E402

RESOURCES = Path(__file__).resolve().parent
PATTERNS = RESOURCES / "patterns"
NLP = spacy.blank("en")

Seq = list  # a token sequence: list of token-spec dicts
Alts = list  # alternatives: list of Seq


def toks(text: str) -> list[str]:
    return [t.text for t in NLP.make_doc(text)]


def cat(*parts: Alts) -> Alts:
    """Every concatenation of one alternative from each part."""
    return [sum(combo, []) for combo in itertools.product(*parts)]


def opt(alts: Alts) -> Alts:
    return [[], *alts]


def one(*specs: dict) -> Alts:
    return [list(specs)]


def lower_in(words, **kw) -> dict:
    words = sorted(set(words))
    return {"LOWER": words[0], **kw} if len(words) == 1 else {"LOWER": {"IN": words}, **kw}


def orth_in(words, **kw) -> dict:
    words = sorted(set(words))
    return {"ORTH": words[0], **kw} if len(words) == 1 else {"ORTH": {"IN": words}, **kw}


def regex(rx: str, **kw) -> dict:
    return {"TEXT": {"REGEX": rx}, **kw}


def cased(*words: str) -> list[str]:
    """Title/lower/UPPER variants of words (for ORTH lists of keywords)."""
    out = set()
    for w in words:
        out |= {w, w.lower(), w.upper(), w[:1].upper() + w[1:]}
    return sorted(out)


# -- numbers -------------------------------------------------------------------------------------
NUM_BODY = r"(?:\d{1,3}(?:[,.]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)"
YEARLIKE = r"(?:1[89]|20)\d\d"
NUM = regex(rf"^{NUM_BODY}(?:/-)?$")
NUM_NOYEAR = regex(rf"^(?!{YEARLIKE}$){NUM_BODY}(?:/-)?$")
NUM_2DIGITS = regex(rf"^(?!{YEARLIKE}$)(?:\d{{1,3}}(?:,\d{{3}})+|\d{{2,}})(?:\.\d{{1,2}})?$")
RANGE_TOKEN = regex(rf"^{NUM_BODY}[-–—]\$?{NUM_BODY}$")  # "$50-$100" -> "$" "50-$100"
MULTS = ["thousand", "million", "millions", "billion", "trillion", "mln", "mn", "bln", "bn", "lakh", "lakhs",
         "lac", "lacs", "crore", "crores"]
MULT = lower_in(MULTS)
MULT_SIGN = lower_in(MULTS + ["m", "k"])  # "$1.5m" -> "$" "1.5" "m"
CONN = lower_in(["to", "-", "–", "—", "and"])
CONN_TO = lower_in(["to", "-", "–", "—"])  # between two differently written amounts "and" is two amounts
UNITS_W = [w for w, n in NUMBER_WORDS.items() if 1 <= n < 20]
TENS_W = [w for w, n in NUMBER_WORDS.items() if n >= 20 and n % 10 == 0]
NUMWORD_ALTS: Alts = [
    [lower_in(UNITS_W + TENS_W)],
    [lower_in(TENS_W), {"ORTH": "-"}, lower_in([w for w in UNITS_W if NUMBER_WORDS[w] < 10])],
    [lower_in(UNITS_W), {"LOWER": "hundred"}],
]


# -- AMOUNT_CURRENCY -------------------------------------------------------------------------------

def _prefix_forms():
    """Prefix forms split by how the tokenizer writes them before a number."""
    table = currency_table()
    forms = set(table.signs) | set(table.abbreviations) | set(table.pattern_codes)
    spaced: dict[int, list[list[str]]] = {}
    glued: set[str] = set()
    single_letter: set[str] = set()
    for f in sorted(forms):
        t = toks(f"paid {f} 500 in")
        if t[-2:] != ["500", "in"] or t[0] != "paid":
            raise SystemExit(f"cannot tokenize currency form {f!r}: {t}")
        ft = t[1:-2]
        if len(f) == 1 and f.isalpha():
            single_letter.add(f)
            continue
        spaced.setdefault(len(ft), []).append(ft)
        g = toks(f"paid {f}500 in")
        if g[1:-1] == [f"{f}500"]:
            glued.add(f)
        elif g[1:-1] != [*ft, "500"]:
            raise SystemExit(f"unexpected tokens for glued {f!r}: {g}")
    return table, spaced, glued, single_letter


def _suffix_words(table):
    """Single-token currency words (the English-word ones apart), the tokens that may stand between
    the number and the word (``Sri Lankan``, ``CFA``, ``new``) and the ones after it (``fuertes``)."""
    single, english = set(), set()
    for w in table.words:
        tw = [t.lower() for t in toks(w)]
        if len(tw) == 1:
            (english if w in table.english_words else single).add(tw[0])
    stop = {"the", "and", "of", "a", "an", "in", "to", "for", "with", "at", "on", "by", "or", "from"}
    quals = set()
    for q in table.qualifiers:
        quals |= {t.lower() for t in toks(q)
                  if (t.lower() not in stop and re.search(r"[a-z]", t.lower()) and not t.endswith("."))
                  or t.lower() in ("u.s.", "u.k.")}
    post = set()
    for w in table.words:
        tw = [t.lower() for t in toks(w)]
        if len(tw) > 1:
            # "bolivares fuertes", "pound sterling": the word, then a tail; "new shekels": a qualifier, then the word
            if tw[0] in single | english:
                post |= set(tw[1:])
            else:
                quals |= {t for t in tw[:-1] if t not in stop}
    return sorted(single), sorted(english), sorted(quals - stop), sorted(post - single - english)


def amount_core() -> list[tuple[str, Seq]]:
    """(id, token sequence) for every amount form; reused by SENTENCE's "fine of ..."."""
    table, spaced, glued, single_letter = _prefix_forms()
    out: list[tuple[str, Seq]] = []

    # prefix sign / abbreviation / code, spaced or not from the number: "$400", "KD 500", "Rs. 20,000".
    # A form written with a final "." ("Rs." -> "Rs" ".") is its first token plus an optional ".".
    firsts = {s[0] for s in spaced.get(1, [])}
    for n, seqs in spaced.items():
        for s in seqs:
            if n == 2 and s[1] == ".":
                firsts.add(s[0])
            elif n > 1:
                raise SystemExit(f"prefix form {s} needs its own pattern")
    P = [orth_in(firsts), {"ORTH": ".", "OP": "?"}]
    US = [orth_in(["US", "U.S."]), {"ORTH": "$"}]  # "US $500"
    NUMP = regex(rf"^{NUM_BODY}(?:/-|[kK])?$")
    M = dict(MULT_SIGN, OP="?")
    for p in (P, US):
        out.append(("amount-prefix", p + [NUMP, M]))
        out.append(("amount-prefix-range", p + [NUMP, M, CONN_TO] + p + [NUMP, M]))
        out.append(("amount-prefix-range", p + [NUMP, M, CONN_TO, NUMP, M]))
        out.append(("amount-prefix-range", p + [RANGE_TOKEN, M]))
    # single-letter abbreviations ("R 1,200" rand) want a number of two or more digits
    if single_letter:
        L = orth_in(sorted(single_letter))
        out.append(("amount-prefix-letter", [L, NUM_2DIGITS, M]))
        out.append(("amount-prefix-letter", [L, NUM_2DIGITS, M, CONN, L, NUM_2DIGITS, M]))
        out.append(("amount-prefix-letter", [L, NUM_2DIGITS, M, CONN_TO, NUM_2DIGITS, M]))
        letters = "".join(sorted(single_letter))
        GL = regex(rf"^[{letters}](?:\d{{1,3}}(?:,\d{{3}})+|\d{{2,}})(?:\.\d{{1,2}})?$")  # "K300", "R2,500"
        out.append(("amount-glued-letter", [GL, M]))
        out.append(("amount-glued-letter", [regex(rf"^[{letters}]\d+(?:\.\d+)?$"), MULT_SIGN]))  # "K3.7 million"
        out.append(("amount-glued-letter", [GL, M, CONN, GL, M]))
    # "between $1,500 and $2,500": an "and" range writes the sign on both numbers
    out.append(("amount-prefix-range-and", P + [NUMP, M, {"LOWER": "and"}] + P + [NUMP, M]))
    # glued forms: "S$2,900", "NT$1,800", "Rs.20,000", "USD1,000", "GH¢150"
    g_alt = "|".join(re.escape(f) for f in sorted(glued, key=lambda f: (-len(f), f)))
    GLUED = regex(rf"^(?:{g_alt}){NUM_BODY}(?:/-|[kK])?$")
    out.append(("amount-glued", [GLUED, M]))
    out.append(("amount-glued-range", [GLUED, M, CONN_TO, GLUED, M]))
    out.append(("amount-glued-range-and", [GLUED, M, {"LOWER": "and"}, GLUED, M]))
    out.append(("amount-glued-range", [GLUED, M, CONN_TO, NUMP, M]))

    # number before a currency word or code: "2,000 tenge", "1.5 million naira", "1,500 Argentine pesos",
    # "150 to 200 som", "bolivares fuertes", "2,500 USD", "40,000€"
    single, english, quals, post = _suffix_words(table)
    Q = lower_in(quals, OP="?")
    Mw = dict(MULT, OP="?")
    tail = [lower_in(post, OP="?")]
    # a four-digit year before a currency word is a date ("in 2008 dollars", "in 2008 won"), not a sum
    for word, pid in ((lower_in(single), "amount-word"), (lower_in(english), "amount-word-eng")):
        out.append((pid, [NUM_NOYEAR, Mw, Q, Q, Q, word, *tail]))
        out.append((pid + "-range", [NUM_NOYEAR, Mw, CONN, NUM, Mw, Q, Q, Q, word, *tail]))
    out.append(("amount-word-range", [RANGE_TOKEN, Mw, Q, Q, Q, lower_in(single)]))
    for nw in NUMWORD_ALTS:
        out.append(("amount-numword", nw + [Mw, lower_in(single)]))
    code = orth_in(table.pattern_codes)
    out.append(("amount-code-after", [NUM_NOYEAR, Mw, code]))
    out.append(("amount-code-after", [NUM_NOYEAR, Mw, CONN, NUM, Mw, code]))
    sym_suffix = sorted(f for f in firsts if not re.search(r"[A-Za-z$.]", f))
    out.append(("amount-sign-after", [NUM, Mw, orth_in(sym_suffix)]))
    out.append(("amount-sign-after", [regex(rf"^{NUM_BODY}(?:{'|'.join(map(re.escape, sym_suffix))})$")]))
    return out


# -- STATUTE ---------------------------------------------------------------------------------------

MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|December|Monday|Tuesday|"
          "Wednesday|Thursday|Friday|Saturday|Sunday")
TITLE_RX = (rf"^(?!(?:{MONTHS})$)(?:[A-Z][a-z][A-Za-z'’]*|UN|U\.N\.|ILO|UAE|TIP|TVPA|EU|HIV|AIDS|BiH|FBiH|UNMIK|ASEAN|SAARC|ECOWAS|"
            r"OAS|IOM|RF|RK|KR|UK|U\.K\.|US|U\.S\.)$")
TITLE = regex(TITLE_RX)
YEAR = regex(rf"^{YEARLIKE}$")
START_STOP = ["the", "a", "an", "this", "that", "these", "those", "under", "in", "on", "of", "and", "by", "with", "to",
              "for", "from", "at", "as", "after", "before", "since", "following", "pursuant", "per", "according",
              "both", "although", "while", "when", "however", "also", "but", "its", "their", "his", "her", "our",
              "new", "current", "existing", "draft", "amended", "revised", "old", "previous", "such", "said", "if",
              "ministry", "minister", "ministers", "government", "parliament", "president", "court", "police",
              "embassy", "office", "department", "bureau", "agency", "committee", "commission", "council",
              "prosecutor", "prosecutors", "judge", "official", "officials", "post", "mission", "director",
              "there", "here", "it", "they", "we", "he", "she", "several", "many", "most", "all", "no", "any",
              "each", "every", "other", "another", "national", "international", "during", "until", "because"]
FIRST = regex(TITLE_RX, LOWER={"NOT_IN": START_STOP})
MIDDLE_RX = TITLE_RX[:-2] + r"|of|in|on|and|against|for|to|\(|\)|-|&)$"  # no "the", no "'s": "X's Act and the Y Act"
MIDDLE_STAR = regex(MIDDLE_RX, OP="*")
CODE_MODS = ["criminal", "penal", "labor", "labour", "family", "administrative", "civil", "migration",
             "immigration", "procedure", "criminal-procedure", "juvenile", "military"]
TOPIC = ["Trafficking", "Persons", "Beings", "Prostitution", "Protection", "Labor", "Labour", "Aliens", "Foreigners",
         "Adoption", "Transplant", "Transplantation", "Organs", "Slavery", "Exploitation", "Violence", "Children",
         "Child", "Penal", "Criminal", "Employment", "Immigration", "Migration", "Women", "Smuggling", "Kidnapping",
         "Abduction", "Workers", "Recruitment", "Juvenile", "Family", "Passport", "Residence", "Manpower",
         "Anti-Trafficking", "TIP", "Palermo", "Optional", "Servitude", "Bondage", "Abuse", "Procuring",
         "Pornography", "Offences", "Offenses", "Crime", "Crimes"]
ART_SG = ["article", "art", "section", "sec", "§"]
ART_PL = ["articles", "arts", "sections", "secs", "§§"]
SUB_WORDS = ["part", "paragraph", "para", "clause", "item", "point", "subparagraph", "subsection", "sub-section",
             "subclause", "sub-paragraph", "indent", "line"]
LAW_HEADS = cased("Law", "Decree", "Act", "Ordinance", "Proclamation", "Regulation", "Edict", "Decision")
LAW_QUALS = ["Federal", "Royal", "Presidential", "Organic", "Republic", "Executive", "Ministerial", "Government",
             "Cabinet", "Supreme", "Legislative", "Emergency", "Sovereign", "Amiri", "Emiri", "Legislative", "UNMIK",
             "Child", "Children", "Labor", "Labour", "Criminal", "Penal"]


def statute_patterns() -> list[dict]:
    pats: list[dict] = []

    def add(pid: str, seqs: Alts):
        pats.extend({"label": "STATUTE", "pattern": s, "id": pid} for s in seqs)

    # article numbers: "128", "127.1", "273f", "433quinquies", "371-A", "225-4-1", "128/b", "145 bis",
    # "229K" (tokenized "229" "K"), "71(1)", "4(a)", "(152)"
    latin = "bis|ter|quater|quinquies|sexies|septies|octies|nonies|decies"
    N0 = regex(rf"^\d{{1,4}}[A-Za-z]{{0,2}}(?:\.\d{{1,3}}[A-Za-z]{{0,2}}){{0,3}}(?:{latin})?$")
    SEP = orth_in(["-", "/", "–"])
    PART = regex(r"^(?:\d{1,3}|[A-Za-z]{1,2})$")
    N_SUFFIXED: Alts = [[N0, SEP, PART, dict(SEP, OP="?"), dict(PART, OP="?")],
                        [dict(N0, SPACY=False), regex(r"^[A-Z]{1,2}$")]]
    artnum: Alts = [[N0, lower_in(latin.split("|"), OP="?")], *N_SUFFIXED,
                    [regex(r"^\d{1,4}[A-Za-z]{0,2}(?:\.\d{1,3})?\([0-9A-Za-z]{1,3}$"), {"ORTH": ")"}],
                    [{"ORTH": "("}, N0, {"ORTH": ")"}]]
    NSMALL = regex(r"^(?:\d{1,3}[A-Za-z]?|[IVXivx]{1,5}|[a-z])$")
    subpart: Alts = [[{"ORTH": ",", "OP": "?"}, lower_in(SUB_WORDS), NSMALL], [{"ORTH": "("}, NSMALL, {"ORTH": ")"}]]
    art_word = [lower_in(ART_SG), {"ORTH": ".", "OP": "?"}]
    art_word_pl = [lower_in(ART_PL), {"ORTH": ".", "OP": "?"}]
    # "Chapter 4, Section 1a", "Title 31, Section 131"
    chapter: Alts = [[], [lower_in(["chapter", "title", "division", "part", "book"]), NSMALL, {"ORTH": ","}]]
    art_single: Alts = (cat([art_word], artnum, opt(subpart)) + cat(chapter[1:], [art_word + [N0]], opt(subpart))
                        + [[regex(r"^(?:Art|art|ART|Sec|sec)\.\d{1,4}[A-Za-z]?$")]])
    LCONN = [lower_in(["and", "or", "to", "through", "-", "–", ","]), lower_in(["and", "or"], OP="?")]
    list_num: Alts = [[N0], [N0, SEP, PART]]
    art_list: Alts = (cat([art_word_pl], list_num, [LCONN], list_num)
                      + cat([art_word_pl], list_num, [[{"ORTH": ","}]], list_num, [LCONN], list_num))

    # numbered laws: "Law 91 of 2013", "Law No. 3/2008", "Federal Law No. 15 of 2005", "Royal Decree 126/2008",
    # "Law 87(I)/2007", "Law 2005-06", "Republic Act 9208", "RA 9208", "Law 23 of 2002 on Child Protection"
    LAWID = [regex(r"^\d{1,5}(?:\([IVX]+\))?(?:[./]\d{1,5})*$"), {"ORTH": "-", "OP": "?"},
             regex(r"^\d{1,5}$", OP="?")]
    no_ = [lower_in(["no", "nr", "number"], OP="?"), {"ORTH": ".", "OP": "?"}]
    year_tail: Alts = [[{"LOWER": "of"}, YEAR]]
    qual = [orth_in(LAW_QUALS + ["UAE", "BiH", "FBiH", "UNMIK", "Kosovo"], OP="*")]
    seg = [TITLE, regex(TITLE_RX, OP="*")]
    conn = [lower_in(["of", "in", "on", "against", "for", "to", "and"]), {"LOWER": "the", "OP": "?"}]

    def on_tail(max_extra: int) -> Alts:
        return [[lower_in(["on", "concerning", "regarding"]), {"LOWER": "the", "OP": "?"}, *seg, *((conn + seg) * n)]
                for n in range(max_extra + 1)]

    lawnum_core: Alts = (cat([qual + [orth_in(LAW_HEADS)] + no_ + LAWID], opt(year_tail))
                         + cat([qual + [orth_in(cased("Law", "Decree", "Act")),
                                        regex(r"^(?:No|NO|Nr)\.\d{1,5}(?:[./]\d{1,5})*$")]], opt(year_tail)))
    lawnum_misc: Alts = (cat([qual + [orth_in(cased("Resolution", "Order")), lower_in(["no", "nr", "number"]),
                                      {"ORTH": ".", "OP": "?"}] + LAWID], opt(year_tail))
                         + [[orth_in(["RA", "R.A."]), *no_, regex(r"^\d{3,5}$")],
                            [{"ORTH": "Republic"}, {"ORTH": "Act"}, *no_, regex(r"^\d{3,5}$")]])
    lawnum: Alts = lawnum_core + lawnum_misc
    lawnum_on: Alts = cat(lawnum_core, on_tail(3))

    # named laws: title-case words ending in Act/Code/Ordinance (any last word) or in Law/Convention/Protocol/
    # Decree (a topic word before it, so "Kazakh Law Enforcement" and "Narcotics and Law" stay out)
    TOPIC_T = orth_in(TOPIC + [t.upper() for t in TOPIC])
    ANY_LAST = regex(r"^(?:[A-Z][a-z][A-Za-z'’]*|TIP|\)|'s|’s)$", LOWER={"NOT_IN": START_STOP})
    act_tail: Alts = [[lower_in(["of", ","], OP="?"), YEAR],
                      [lower_in(["of", ","], OP="?"), YEAR, {"ORTH": "("}, {"ORTH": "Act"}, regex(r"^\d{1,4}$"), {"ORTH": ")"}],
                      [{"ORTH": "B.E."}, regex(r"^25\d\d$")],
                      [lower_in(["no", "nr"]), {"ORTH": ".", "OP": "?"}, regex(r"^\d{1,5}$"), {"LOWER": "of"}, YEAR]]
    ends: Alts = [[ANY_LAST, orth_in(["Act", "Code", "Ordinance", "Proclamation", "Charter"])],
                  [TOPIC_T, orth_in(["Law", "Convention", "Protocol", "Decree"])]]
    named: Alts = cat([[dict(YEAR, OP="?"), FIRST, MIDDLE_STAR], []], ends, opt(act_tail))
    ends_of: Alts = [[ANY_LAST, orth_in(["Act", "Code", "Ordinance", "Proclamation", "Charter", "Law", "Convention",
                                         "Protocol", "Decree"])]]
    named_of: Alts = cat([[dict(YEAR, OP="?"), FIRST, MIDDLE_STAR], []], ends_of, opt(act_tail[:1]))
    # "Law on Combating Trafficking in Persons", "UN Convention against Transnational Organized Crime"
    intro: Alts = [[dict(YEAR, OP="?"), orth_in(["UN", "U.N.", "ILO", "European", "Hague", "Supplementary", "Optional", "ASEAN", "SAARC",
                             "Federal", "Organic", "Royal", "Presidential"], OP="*")],
                   [{"ORTH": "United"}, {"ORTH": "Nations"}, {"ORTH": "Supplementary", "OP": "?"}],
                   [{"ORTH": "Council"}, {"ORTH": "of"}, {"ORTH": "Europe"}]]
    head_first: Alts = []
    for n_extra in range(0, 4):
        head_first += cat(intro, [[orth_in(["Law", "Act", "Convention", "Protocol", "Decree", "Provisions", "LAW"]),
                                   lower_in(["on", "against", "to", "for", "concerning", "regarding"]),
                                   {"LOWER": "the", "OP": "?"}, *seg, *((conn + seg) * n_extra)]])
    head_first_of: Alts = [s for s in head_first if s[0].get("OP") == "?" and len(s) <= 16]
    # what follows "Article N of": a code, a numbered law, a named law, "the 2003 Act", "the Act", "ATIPA"
    # "of the Criminal Code", "of the Uzbek Criminal Code", "of the FBiH Criminal Code", "... Code of Kosovo"
    NAT = regex(r"^(?:[A-Z][A-Za-z]+|[A-Z]{2,6})$", LOWER={"NOT_IN": START_STOP + CODE_MODS}, OP="?")
    code_tail: Alts = cat([[NAT, NAT, lower_in(CODE_MODS, OP="+"), lower_in(["code", "law"])]],
                          [[], [{"LOWER": "of"}, TITLE],
                           [{"LOWER": "of"}, {"LOWER": "the"}, TITLE, orth_in(["Republic", "Federation"])],
                           [{"LOWER": "of"}, {"LOWER": "the"}, {"ORTH": "Republic"}, {"LOWER": "of"}, TITLE]])
    def_tail: Alts = [[orth_in(["Act", "Law", "Code", "Convention", "Protocol", "Constitution", "Decree", "Ordinance",
                                "Proclamation"])],
                      [YEAR, lower_in(["act", "law", "code", "decree", "ordinance", "proclamation"])],
                      [lower_in(["federal", "new", "national"], OP="?"),
                       lower_in(["trafficking", "anti-trafficking", "tip", "anti-tip", "trafficking-in-persons"]),
                       lower_in(["law", "act"])],
                      [lower_in(["federal", "new", "national"], OP="?"), {"LOWER": "anti"}, {"ORTH": "-"},
                       lower_in(["trafficking", "tip"]), lower_in(["law", "act"])],
                      [regex(r"^[A-Z]{2,7}A$")]]  # an Act's acronym: ATIPA, HTPA, TVPA
    OF = [{"ORTH": ",", "OP": "?"}, {"LOWER": "of"}, {"LOWER": "the", "OP": "?"}]
    of_tail: Alts = cat([OF], code_tail + lawnum + lawnum_on[:len(lawnum_core) * 2] + named_of + head_first_of + def_tail)

    add("statute-article", art_single)
    add("statute-article-of", cat(art_single, of_tail))
    add("statute-articles", art_list)
    add("statute-articles-of", cat(art_list, of_tail))
    add("statute-part-of-article", cat([[lower_in(SUB_WORDS), NSMALL, {"LOWER": "of"}]], art_single))
    # "Criminal Code", "Uzbek Criminal Code", "Criminal Code article 128", "Penal Code section 370"
    code_name = [dict(NAT, TEXT={"REGEX": r"^(?:[A-Z][a-z]+|[A-Z]{2,6}|[A-Z][a-z]*[A-Z][A-Za-z]*)$"}), dict(NAT),
                 orth_in(cased(*CODE_MODS), OP="+"), orth_in(["Code", "CODE"])]
    add("statute-code", [code_name])
    # with an article number the code's name is unambiguous in any case: "criminal code article 135"
    code_name_any = code_name[:-1] + [orth_in(["Code", "CODE", "code"])]
    add("statute-code-article", cat([code_name_any + art_word], artnum, opt(subpart)))
    add("statute-law-number", lawnum + lawnum_on
        + cat([[{"ORTH": "Cabinet"}, {"ORTH": "of"}, {"ORTH": "Ministers"}], [{"ORTH": "Council"}, {"ORTH": "of"},
                                                                             {"ORTH": "Ministers"}]],
              lawnum_misc[:2]))
    add("statute-named", named)
    add("statute-named-head-first", head_first)
    add("statute-us-code", [[regex(r"^\d{1,2}$"), orth_in(["U.S.C.", "USC"]), {"ORTH": "§", "OP": "?"}, N0]])
    # international instruments: "ILO Convention 182", "ILO Conventions 138 and 182", "Palermo Protocol"
    conv = orth_in(["Convention", "Conventions", "CONVENTION", "CONVENTIONS"])
    cnum = regex(r"^(?:C|No\.?)?\d{2,3}$")
    add("statute-ilo", [[{"ORTH": "ILO", "OP": "?"}, conv, *no_, cnum],
                        [{"ORTH": "ILO", "OP": "?"}, conv, *no_, cnum, *LCONN, cnum],
                        [{"ORTH": "ILO"}, conv, {"LOWER": "on"}, *seg]])
    add("statute-acronym", [[orth_in(["TVPA", "TVPRA", "UNTOC"])]])
    add("statute-protocol", [[orth_in(["Palermo", "PALERMO"]), orth_in(["Protocol", "Protocols", "Convention", "PROTOCOL"])],
                             [{"ORTH": "Council"}, {"ORTH": "of"}, {"ORTH": "Europe"}, lower_in(["convention"])]])
    return pats


# -- SENTENCE --------------------------------------------------------------------------------------

def sentence_patterns() -> list[dict]:
    """Prison terms with their kind, suspended/postponed terms, probation, life terms, fines.

    A bare duration ("received five years") is left out: without the verb the span cannot be told
    from any other length of time. Ranges ("3 to 5 years' imprisonment") get ids ending in
    ``-range``: they are also how laws state penalties, so a consumer may want a sentencing cue.
    """
    pats: list[dict] = []

    def add(pid: str, seqs: Alts):
        pats.extend({"label": "SENTENCE", "pattern": s, "id": pid} for s in seqs)

    words = [w for w, n in NUMBER_WORDS.items() if 1 <= n <= 20] + ["thirty", "forty", "fifty", "sixty"]
    NUMX = {"LOWER": {"REGEX": r"^(?:\d{1,2}(?:\.\d)?|1\d\d|" + "|".join(words) + ")$"}}
    num: Alts = [[NUMX], [lower_in(["twenty", "thirty", "forty"]), {"ORTH": "-"}, lower_in(UNITS_W[:9])]]
    years, months = lower_in(["years", "year"]), lower_in(["months", "month"])
    unit_pl = lower_in(["years", "year", "months", "month", "weeks", "days"])
    unit_sg = lower_in(["year", "month", "week", "day"])
    AND = [{"ORTH": ",", "OP": "?"}, {"LOWER": "and"}]
    # one term: "eight years", "eight years and four months", "five and a half years"
    dur: Alts = (cat(num, [[unit_pl]])
                 + [[NUMX, years, *AND, NUMX, months],
                    [NUMX, months, *AND, NUMX, lower_in(["days", "day", "weeks", "week"])],
                    [NUMX, {"LOWER": "and"}, {"LOWER": "a"}, {"LOWER": "half"}, unit_pl]])
    rng: Alts = [[NUMX, lower_in(["to", "-", "–", "and", "or"]), NUMX, unit_pl]]
    # what makes a duration a penalty; "forced labour", "work" alone are not (victims work for years)
    kinds: Alts = [[lower_in(["imprisonment", "incarceration", "probation", "detention", "jail", "prison",
                              "confinement"])],
                   [lower_in(["rigorous", "simple", "strict", "conditional", "suspended"]),
                    lower_in(["imprisonment", "sentence", "detention"])],
                   [{"LOWER": "hard"}, lower_in(["labor", "labour"])],
                   [lower_in(["correctional", "corrective"]), lower_in(["labor", "labour", "work"])],
                   [lower_in(["deprivation", "restriction"]), {"LOWER": "of"}, lower_in(["liberty", "freedom"])],
                   [{"LOWER": "house"}, {"LOWER": "arrest"}],
                   [{"LOWER": "community"}, {"LOWER": "service"}]]
    link = [orth_in(["'", "’", "'s", "’s", "of"], OP="?")]
    facility_mod = lower_in(["high", "maximum", "medium", "minimum", "strict", "general", "special", "security",
                             "regime", "-", "penal", "labor", "labour", "correctional", "corrective", "colony",
                             "settlement", "federal", "state", "juvenile"], OP="*")
    facility = lower_in(["colony", "prison", "jail", "penitentiary", "gaol"])
    place: Alts = [[{"LOWER": "in"}, lower_in(["prison", "jail", "gaol"])], [{"LOWER": "behind"}, {"LOWER": "bars"}],
                   [{"LOWER": "in"}, lower_in(["a", "an", "the"], OP="?"), facility_mod, facility]]
    kind: Alts = place + cat([link], kinds)
    after: Alts = kind + [[{"LOWER": "with"}, {"LOWER": "a", "OP": "?"}, lower_in(["postponement", "deferment", "deferral"])],
                          [{"ORTH": ",", "OP": "?"}, {"LOWER": "suspended"}]]
    susp_for: Alts = cat([[{"ORTH": ",", "OP": "?"}, lower_in(["suspended", "postponed", "deferred"]),
                           lower_in(["for", "with"]), NUMX, unit_pl]])
    kind_extra: Alts = [[{"LOWER": "with"}, {"LOWER": "confiscation"}, {"LOWER": "of"}, lower_in(["property", "assets"])],
                        [{"LOWER": "with"}, {"LOWER": "hard"}, lower_in(["labor", "labour"])],
                        [{"LOWER": "with"}, {"LOWER": "release"}, {"LOWER": "on"}, {"LOWER": "probation"}],
                        [lower_in(["suspended", "conditional"]), {"LOWER": "on"}, {"LOWER": "probation"}]]
    for terms, suffix in ((dur, ""), (rng, "-range")):
        add("sentence-term" + suffix, cat(terms, after))
        add("sentence-term-suspended" + suffix, cat(terms, opt(kind), susp_for))
        add("sentence-term-extra" + suffix, cat(terms, cat([link], kinds[:2]), kind_extra))
    # "suspended sentence of two years", "sentence of four years", "prison term of six years"
    head = [lower_in(["suspended", "conditional", "deferred", "prison", "jail", "custodial", "probationary",
                      "postponed"], OP="*"), lower_in(["sentence", "sentences", "term"]), {"LOWER": "of"}]
    add("sentence-of", cat([head], dur))
    add("sentence-of-range", cat([head], rng))
    add("sentence-of", cat([[lower_in(["term", "sentence"]), {"LOWER": "of"}, lower_in(["imprisonment", "incarceration"]),
                             {"LOWER": "of"}]], dur))
    add("sentence-probation", cat([[{"LOWER": "probation"}, {"LOWER": "period", "OP": "?"}, lower_in(["for", "of"])]], dur))
    # "two-year suspended sentence", "18-month sentence suspended for three years", "deferred four-year sentence"
    hyph: Alts = [[lower_in(["suspended", "deferred", "conditional", "postponed"], OP="?"), NUMX, {"ORTH": "-"}, unit_sg,
                   lower_in(["suspended", "prison", "jail", "conditional", "custodial", "deferred", "probationary"],
                            OP="*"),
                   lower_in(["sentence", "term", "imprisonment", "probation"])]]
    add("sentence-hyphen", hyph)
    add("sentence-hyphen-suspended", cat(hyph, susp_for))
    add("sentence-life", [[{"LOWER": "life"}, lower_in(["imprisonment", "sentence", "sentences", "term"])],
                          [{"LOWER": "life"}, {"LOWER": "in"}, lower_in(["prison", "jail"])],
                          [{"LOWER": "death"}, lower_in(["sentence", "sentences"])]])
    add("sentence-suspended", [[lower_in(["suspended", "conditional"]), {"LOWER": "prison", "OP": "?"},
                                lower_in(["sentence", "sentences"])],
                               [{"LOWER": "suspended"}, {"LOWER": "terms"}]])
    add("sentence-community-service", [[NUMX, {"LOWER": "hours"}, {"LOWER": "of"},
                                        lower_in(["community", "unpaid", "compulsory", "public"]),
                                        lower_in(["service", "work", "labor", "labour"])]])
    # fines as sentence: "fine of 500,000 pesos", "fines of KSh 100,000", "fine of 20 minimum wages"
    fine = [lower_in(["judicial", "criminal"], OP="?"), lower_in(["fine", "fines"]), {"LOWER": "of"}]
    add("sentence-fine", cat([fine], [s for _, s in amount_core()]))
    add("sentence-fine", [fine + [NUM, {"ORTH": "KM"}]])  # convertible marks; bare "500 KM" is also kilometres
    add("sentence-fine-wages", [fine + [NUM, lower_in(["monthly", "minimum"], OP="*"),
                                        lower_in(["wages", "salaries", "salary", "wage"])],
                                fine + [NUM, {"LOWER": "times"}, {"LOWER": "the"},
                                        lower_in(["monthly", "minimum"], OP="*"), lower_in(["wage", "salary"])],
                                fine + [NUM, {"LOWER": "day"}, {"ORTH": "-"}, lower_in(["fines", "fine"])],
                                fine + [NUM, lower_in(["day-fines", "daily"]), lower_in(["rates", "fines"], OP="?")]])
    return pats


def amount_patterns() -> list[dict]:
    return [{"label": "AMOUNT_CURRENCY", "pattern": s, "id": pid} for pid, s in amount_core()]


def _dedupe(pats: list[dict]) -> list[dict]:
    seen, out = set(), []
    for p in pats:
        key = json.dumps(p, sort_keys=True, ensure_ascii=False)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def _validate(pats: list[dict]) -> None:
    from spacy.matcher import Matcher
    m = Matcher(NLP.vocab, validate=True)
    for i, p in enumerate(pats):
        m.add(f"p{i}", [p["pattern"]])


BUILDERS = {"amount.jsonl": amount_patterns, "statute.jsonl": statute_patterns, "sentence.jsonl": sentence_patterns}


def render(pats: list[dict]) -> str:
    return "".join(json.dumps(p, ensure_ascii=False, separators=(",", ":")) + "\n" for p in pats)


MANIFEST = PATTERNS / "MANIFEST.json"


def record(name: str, pats: list[dict], text: str) -> None:
    """Note in ``patterns/MANIFEST.json`` what a file was built from (the data versions it depends on)."""
    import hashlib
    from importlib.metadata import version

    data = json.loads(MANIFEST.read_text(encoding="utf-8")) if MANIFEST.exists() else {}
    data["built_with"] = {"pycountry": version("pycountry"), "spacy": spacy.__version__}
    data.setdefault("files", {})[name] = {
        "patterns": len(pats), "labels": sorted({p["label"] for p in pats}),
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()}
    data["files"] = dict(sorted(data["files"].items()))
    MANIFEST.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="compare with the files on disk, write nothing")
    args = ap.parse_args(argv)
    status = 0
    for name, build in BUILDERS.items():
        pats = _dedupe(build())
        _validate(pats)
        text = render(pats)
        path = PATTERNS / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                print(f"{path}: out of date (run python -m tipx.resources.build_patterns)", file=sys.stderr)
                status = 1
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            record(name, pats, text)
            print(f"{path}: {len(pats)} patterns, {len(text.encode()) // 1024} KiB")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
