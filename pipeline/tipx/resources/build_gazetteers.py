"""Write ``patterns/places.jsonl``: PLACE and DEMONYM candidates for VICTIM_ORIGIN / DESTINATION.

    python -m tipx.resources.build_gazetteers            # rewrite patterns/places.jsonl
    python -m tipx.resources.build_gazetteers --check    # exit 1 when the file differs

Sources, all maintained data or team-written lists (never a cable's wording):

* ``pycountry.countries``: name, official name, common name (``Korea, Republic of`` becomes
  ``Republic of Korea`` and ``Korea``); pattern id = ISO alpha-2;
* ``pycountry.subdivisions``: first-level subdivisions that are single place names, cleaned of
  local type words (``Almaty oblysy`` -> ``Almaty``, ``Dagestan, Respublika`` -> ``Dagestan``);
  municipality-level divisions of small countries, names that are common English words
  (:data:`STOPLIST`) and names of other countries are left out; id = ISO 3166-2 code;
* ``cities.json``: English country names pycountry lacks (``Burma``, ``UAE``), ~1,000 city and
  region names on trafficking routes (id = alpha-2), and multi-country regions (id = ``REGION``);
* ``demonyms.json``: DEMONYM patterns (id = alpha-2).

A name with several owners gets their ids joined by ``|`` (``Punjab`` -> ``IN-PB|PK-PB``).
Accented names also get their ASCII spelling. Tokens match in their written case or in UPPER CASE
(all-caps cables); function words inside a name (``Dar es Salaam``) match in any case. A PLACE may
start with a lower-case direction word (``northern Tajikistan``, ``rural Sindh``) and a
subdivision or city may end with a capitalised type word (``Issyk-Kul Oblast``, ``Sughd Region``),
as the annotation guidelines draw those spans.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import spacy

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tipx.resources.currencies import fold  # noqa: E402

RESOURCES = Path(__file__).resolve().parent
OUT = RESOURCES / "patterns" / "places.jsonl"
NLP = spacy.blank("en")

#: Subdivision types below the level a cable names as a region (Slovene municipalities, parishes ...).
SKIP_TYPES = frozenset({"Municipality", "Urban municipality", "Local council", "Quarter", "Parish", "Commune",
                        "Rayon", "Island council", "Administrative atoll", "Town council", "Ward", "Borough",
                        "Administrative precinct"})
#: Countries whose first-level "Municipality"/"District" entries are towns or wards, not regions.
SKIP_COUNTRY_TYPES = frozenset({("District", cc) for cc in ("BS", "SC", "NR", "WS", "LC", "ST", "SG", "TL")})
#: Local and English type words dropped from the ends of subdivision names.
TYPE_WORDS = ["avtonomnyy okrug", "avtonomnaya oblast'", "oblysy", "oblasy", "oblast'", "oblasti", "oblast", "shaary",
              "shahri", "kray", "krai", "respublikasi", "respublika", "sheng", "shi", "zizhiqu", "zhuangzu",
              "huizu", "uygur", "sar", "viloyati", "viloyat", "wilayah", "wilaya", "vilayeti", "province",
              "provincia", "region", "governorate", "muhafazat", "state", "county", "district", "department",
              "departamento", "prefecture", "federal capital territory", "capital territory", "territory",
              "city", "special capital region", "special region", "autonomous region", "republic"]
#: Subdivision names that are common English words or would fire on ordinary prose.
STOPLIST = frozenset({
    "centre", "center", "central", "capital", "coast", "coastal", "western", "eastern", "northern", "southern",
    "north", "south", "east", "west", "north-east", "north-west", "south-east", "south-west", "northeast",
    "northwest", "southeast", "southwest", "upper", "lower", "middle", "lakes", "plateau", "rivers", "river",
    "delta", "islands", "island", "mountain", "mountains", "highlands", "valley", "border", "lagoons", "savanes",
    "littoral", "est", "nord", "sud", "ouest", "centre-est", "centre-nord", "centre-sud", "centre-ouest",
    "grand", "federal", "orange", "free", "sea", "gulf", "atlantic", "pacific", "bay", "lake", "national",
    "special", "greater", "interior", "oriental", "occidental", "hills", "far north", "north central",
    "distrito federal", "federal district", "capital district", "plains", "forest", "savannah", "ocean",
    "gold", "victoria", "male", "split", "bar", "mary", "van", "batman", "of", "none", "union", "apex", "nice",
    "reading", "mayo", "down", "kent", "dover", "chin", "mon", "nan", "para", "santa", "colon", "cesar",
    "meta", "aurora", "antique", "washington", "hamilton", "saint george", "saint andrew", "saint john",
    "saint james", "saint peter", "saint paul", "saint thomas", "saint mary", "saint michael", "saint philip",
    "saint joseph", "saint lucy", "saint david", "saint patrick", "christ church", "al", "as", "an", "ad",
    "jura", "vaud", "bern", "tyre", "sidon", "lagos state", "abuja", "urban", "rural", "municipal", "norte",
    "sur", "sul", "este", "oeste", "centro", "leste", "valle", "unity", "pool", "lac", "lacs", "mono", "isabel",
    "nelson", "rivera", "saga", "yap", "leon", "león", "somali", "lakes state", "upper nile", "amanat",
})
DIRECTIONS = ["northern", "southern", "eastern", "western", "central", "north", "south", "east", "west",
              "northeastern", "northwestern", "southeastern", "southwestern", "rural"]
SUFFIXES = ["Oblast", "Region", "Province", "District", "Governorate", "State", "Prefecture", "County",
            "Department", "Rayon", "Krai", "Division", "City"]
FUNCTION_WORDS = frozenset({"of", "and", "the", "de", "del", "la", "le", "les", "el", "es", "du", "des", "da", "do",
                            "dos", "das", "al", "ad", "ar", "as", "an", "ash", "az", "at", "y", "et", "i", "e",
                            "upon", "on", "sur", "am", "im", "an", "der", "bin", "ibn"})


def toks(text: str) -> list[str]:
    return [t.text for t in NLP.make_doc(text)]


def _clean(name: str) -> str:
    name = re.sub(r"\s*[\(\[].*?[\)\]]", "", name).replace("’", "'").replace("‘", "'").strip()
    return re.sub(r"\s+", " ", name)


def _strip_types(name: str) -> str:
    changed = True
    while changed:
        changed = False
        low = name.lower()
        for t in TYPE_WORDS:
            if low.endswith(" " + t) and len(name) > len(t) + 2:
                name, changed = name[: -len(t) - 1].rstrip(" ,-"), True
                break
            if low.startswith(t + " ") and len(name) > len(t) + 2 and t in ("respublika", "province", "region"):
                name, changed = name[len(t) + 1:].strip(), True
                break
    return name


def country_names(country) -> list[str]:
    out = []
    for attr in ("name", "official_name", "common_name"):
        raw = getattr(country, attr, None)
        if not raw:
            continue
        raw = _clean(raw)
        if "," in raw:
            head, _, tail = (x.strip() for x in raw.partition(","))
            out.append(head)
            if re.search(r"\bof( the)?$", tail):
                out.append(re.sub(r"^(?:The|the) ", "", f"{tail} {head}"))
            elif " " not in tail:
                out.append(f"{tail} {head}")
        else:
            out.append(re.sub(r"^(?:The|the) ", "", raw))
    return out


def subdivision_names(sub) -> list[str]:
    if sub.type in SKIP_TYPES or (sub.type, sub.country_code) in SKIP_COUNTRY_TYPES:
        return []
    out = []
    for part in sub.name.split(";"):
        name = _clean(part)
        if "," in name:
            head, _, tail = (x.strip() for x in name.partition(","))
            if _strip_types(f"x {tail}") == "x" or tail.lower().startswith(("respublika", "unitatea", "unitate")):
                name = head
            else:
                continue
        name = _strip_types(name)
        if not name or not name[0].isupper() or re.search(r"\d|/", name) or len(name) < 3:
            continue
        out.append(name)
    return out


def _column(tokens: set[str]) -> dict:
    forms = sorted({f for t in tokens for f in ((t,) if t.lower() in FUNCTION_WORDS and t.islower() else (t, t.upper()))})
    return {"ORTH": forms[0]} if len(forms) == 1 else {"ORTH": {"IN": forms}}


def collect() -> tuple[dict[str, set[str]], dict[str, set[str]], set[str]]:
    """(PLACE surface -> ids, DEMONYM surface -> ids, surfaces that may take a type suffix)."""
    import pycountry

    cities = json.loads((RESOURCES / "cities.json").read_text(encoding="utf-8"))
    demonyms = json.loads((RESOURCES / "demonyms.json").read_text(encoding="utf-8"))
    places: dict[str, set[str]] = {}
    suffixable: set[str] = set()

    def put(table, name, ident):
        for form in {name, fold(name)}:
            table.setdefault(form, set()).add(ident)

    country_forms: dict[str, str] = {}
    for c in pycountry.countries:
        for n in country_names(c):
            put(places, n, c.alpha_2)
            country_forms[fold(n).lower()] = c.alpha_2
    for cc, names in cities.get("country_aliases", {}).items():
        for n in names:
            put(places, n, cc)
            country_forms[fold(n).lower()] = cc
    demonym_forms = {fold(f).lower() for k, v in demonyms.items() if not k.startswith("_") for f in v}
    for sub in pycountry.subdivisions:
        if sub.parent_code is not None:
            continue
        for n in subdivision_names(sub):
            key = fold(n).lower()
            if (key in STOPLIST or n.lower() in STOPLIST or key in demonym_forms
                    or (key in country_forms and country_forms[key] != sub.country_code)):
                continue
            put(places, n, sub.code)
            suffixable |= {n, fold(n)}
    for cc, names in cities.get("cities", {}).items():
        for n in names:
            put(places, n, cc)
            suffixable |= {n, fold(n)}
    for n in cities.get("regions", []):
        put(places, n, "REGION")
    dem: dict[str, set[str]] = {}
    for cc, forms in demonyms.items():
        if cc.startswith("_"):
            continue
        for f in forms:
            put(dem, f, cc)
    for clash in set(dem) & set(places):
        del dem[clash]  # a country or city name that is also a demonym stays a place
    return places, dem, suffixable


def _grouped(table: dict[str, set[str]]) -> dict[tuple[str, str], set[str]]:
    """Spellings grouped by (ASCII form, ids)."""
    groups: dict[tuple[str, str], set[str]] = {}
    for name, ids in table.items():
        groups.setdefault((fold(name), "|".join(sorted(ids))), set()).add(name)
    return groups


def build() -> list[dict]:
    """Phrase patterns (exact strings, fast) for every name and its UPPER CASE form, with its ids;
    then a few token patterns for a name after a direction word or before a type word, whose
    columns list the tokens of all names of that length (``northern Tajikistan``, ``Sughd Region``;
    their id says which, and the bare name inside carries its own span with the ids)."""
    places, dem, suffixable = collect()
    pats = []
    for label, table in (("PLACE", places), ("DEMONYM", dem)):
        for (key, ids), names in sorted(_grouped(table).items()):
            for text in sorted({v for n in names for v in (n, n.upper())}):
                pats.append({"label": label, "pattern": text, "id": ids})
    by_len: dict[int, list[list[str]]] = {}
    suf_len: dict[int, list[list[str]]] = {}
    for name in sorted(places):
        t = toks(name)
        if len(t) <= 4:
            by_len.setdefault(len(t), []).append(t)
            if name in suffixable:
                suf_len.setdefault(len(t), []).append(t)
    direction = {"ORTH": {"IN": DIRECTIONS}}
    suffix = {"ORTH": {"IN": SUFFIXES}}
    for n, names in sorted(by_len.items()):
        cols = [_column({t[i] for t in names}) for i in range(n)]
        pats.append({"label": "PLACE", "pattern": [direction, *cols], "id": "direction+place"})
    for n, names in sorted(suf_len.items()):
        cols = [_column({t[i] for t in names}) for i in range(n)]
        pats.append({"label": "PLACE", "pattern": [*cols, suffix], "id": "place+type"})
        pats.append({"label": "PLACE", "pattern": [direction, *cols, suffix], "id": "direction+place+type"})
    return pats


def render(pats: list[dict]) -> str:
    return "".join(json.dumps(p, ensure_ascii=False, separators=(",", ":")) + "\n" for p in pats)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="compare with the file on disk, write nothing")
    args = ap.parse_args(argv)
    pats = build()
    text = render(pats)
    if args.check:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT}: out of date (run python -m tipx.resources.build_gazetteers)", file=sys.stderr)
            return 1
        return 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    from tipx.resources.build_patterns import record

    record(OUT.name, pats, text)
    n_place = sum(p["label"] == "PLACE" for p in pats)
    print(f"{OUT}: {n_place} PLACE, {len(pats) - n_place} DEMONYM patterns, {len(text.encode()) // 1024} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
