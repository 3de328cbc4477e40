"""Roll entities and relations of one cable up into case records.

A case is a group of entity mentions joined by relations (any type), plus mentions of the same
perpetrator or recruiter name elsewhere in the cable. Each case lists its parties, victims, the
origin -> destination route, amounts normalised to value + ISO 4217 code, statutes, sentences
normalised to years, and the paragraph numbers it rests on.
"""
from __future__ import annotations

import re
from collections import defaultdict

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "twenty-five": 25,
    "thirty": 30, "forty": 40, "fifty": 50, "half": 0.5,
}
_NUM = r"(\d+(?:\.\d+)?|" + "|".join(sorted(map(re.escape, _NUMBER_WORDS), key=len, reverse=True)) + r")"
_TERM = re.compile(_NUM + r"(?:\s*(?:-|–|\bto\b|\band\b|\bor\b)\s*" + _NUM + r")?[\s-]*(year|month|week|day)s?", re.I)


def _num(token: str) -> float:
    token = token.lower()
    return float(_NUMBER_WORDS[token]) if token in _NUMBER_WORDS else float(token)


def normalize_sentence(text: str) -> dict:
    """``eight years in prison`` -> ``{"min_years": 8, "max_years": 8, "kind": "prison", ...}``."""
    low = text.lower()
    out: dict = {"text": text, "min_years": None, "max_years": None,
                 "suspended": bool(re.search(r"suspend|postpone|probation|conditional", low)),
                 "life": "life" in low,
                 "kind": "fine" if re.search(r"\bfine", low) and not re.search(r"prison|jail|imprison|year|month", low) else "custody"}
    if out["suspended"]:
        out["kind"] = "suspended" if "probation" not in low else "probation"
    m = _TERM.search(text)
    if m:
        unit = {"year": 1.0, "month": 1 / 12, "week": 1 / 52, "day": 1 / 365}[m.group(3).lower()]
        lo = _num(m.group(1)) * unit
        hi = _num(m.group(2)) * unit if m.group(2) else lo
        out["min_years"], out["max_years"] = round(lo, 3), round(hi, 3)
    return out


def _normalize_amount(text: str) -> dict:
    try:
        from .resources.currencies import normalize_amount
    except ImportError:  # pragma: no cover - resources not installed
        return {"text": text}
    return {"text": text, **normalize_amount(text)}


class _UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def build_cases(entities: list[dict], relations: list[dict]) -> list[dict]:
    """Case records from one cable's entities (``id``, ``label``, ``text``, ``paragraph``) and
    relations (``from_id``, ``to_id``, ``type``)."""
    if not entities:
        return []
    index = {e["id"]: i for i, e in enumerate(entities)}
    uf = _UnionFind(len(entities))
    for r in relations:
        if r["from_id"] in index and r["to_id"] in index:
            uf.union(index[r["from_id"]], index[r["to_id"]])
    # the same named party in several paragraphs is one case
    by_name: dict[str, int] = {}
    for i, e in enumerate(entities):
        if e["label"] in ("RECRUITER", "PERPETRATOR") and e["text"][:1].isupper():
            key = re.sub(r"\W+", " ", e["text"]).strip().lower()
            if key in by_name:
                uf.union(by_name[key], i)
            else:
                by_name[key] = i
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(entities)):
        groups[uf.find(i)].append(i)
    linked = {index[r["from_id"]] for r in relations if r["from_id"] in index} | {index[r["to_id"]] for r in relations if r["to_id"] in index}
    cases = []
    for members in groups.values():
        if not linked.intersection(members):
            continue  # a lone mention with no relation is not a case
        ents = [entities[i] for i in members]
        ids = {e["id"] for e in ents}
        rels = [r for r in relations if r["from_id"] in ids and r["to_id"] in ids]

        def texts(label: str) -> list[str]:
            seen: list[str] = []
            for e in ents:
                if e["label"] == label and e["text"] not in seen:
                    seen.append(e["text"])
            return seen

        by_id = {e["id"]: e for e in ents}
        origins_of: dict[int, list[str]] = defaultdict(list)
        for r in rels:
            if r["type"] == "ORIGIN":
                origins_of[r["from_id"]].append(by_id[r["to_id"]]["text"])
        routes = []
        for r in rels:
            if r["type"] != "DESTINATION":
                continue
            head = by_id[r["from_id"]]
            sources = [head["text"]] if head["label"] == "VICTIM_ORIGIN" else origins_of.get(head["id"], []) or [None]
            for src in sources:
                route = {"from": src, "to": by_id[r["to_id"]]["text"]}
                if route not in routes:
                    routes.append(route)
        if not routes:
            routes = [{"from": o, "to": None} for o in texts("VICTIM_ORIGIN")]
        cases.append({
            "recruiters": texts("RECRUITER"),
            "perpetrators": texts("PERPETRATOR"),
            "victims": texts("VICTIM"),
            "origins": texts("VICTIM_ORIGIN"),
            "destinations": texts("DESTINATION"),
            "routes": routes,
            "amounts": [_normalize_amount(t) for t in texts("AMOUNT_CURRENCY")],
            "statutes": texts("STATUTE"),
            "sentences": [normalize_sentence(t) for t in texts("SENTENCE")],
            "paragraphs": sorted({e["paragraph"] for e in ents if e.get("paragraph") is not None}),
            "entity_ids": sorted(ids),
            "relation_ids": sorted(r["id"] for r in rels),
        })
    cases.sort(key=lambda c: c["entity_ids"][0])
    for n, case in enumerate(cases, 1):
        case["case_id"] = n
    return cases
