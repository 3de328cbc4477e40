"""The label set and relation types of ``annotation-schema.md`` (v1).

This module is the one place in the code where labels and relation types are named.
Everything else (the checker, the doccano project, the pipeline components) reads them from here.
"""
from __future__ import annotations

SCHEMA_VERSION = "v1"

#: Entity labels, in the order the schema lists them.
LABELS: tuple[str, ...] = (
    "RECRUITER",
    "PERPETRATOR",
    "VICTIM",
    "VICTIM_ORIGIN",
    "DESTINATION",
    "AMOUNT_CURRENCY",
    "STATUTE",
    "SENTENCE",
)

#: The four labels the project exists for; the others support the relation layer.
CORE_LABELS: tuple[str, ...] = ("RECRUITER", "VICTIM_ORIGIN", "AMOUNT_CURRENCY", "STATUTE")

_PARTY = frozenset({"RECRUITER", "PERPETRATOR"})
_VICTIMS = frozenset({"VICTIM", "VICTIM_ORIGIN"})

#: Relation type -> (allowed head labels, allowed tail labels). Directed, head -> tail.
RELATIONS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "RECRUITED": (frozenset({"RECRUITER"}), _VICTIMS),
    "EXPLOITED": (_PARTY, _VICTIMS),
    "ORIGIN": (frozenset({"VICTIM"}), frozenset({"VICTIM_ORIGIN"})),
    "DESTINATION": (_VICTIMS, frozenset({"DESTINATION"})),
    "AMOUNT": (_PARTY | {"VICTIM"}, frozenset({"AMOUNT_CURRENCY"})),
    "CHARGED_UNDER": (_PARTY, frozenset({"STATUTE"})),
    "SENTENCED_TO": (_PARTY, frozenset({"SENTENCE"})),
    "ACCOMPLICE": (_PARTY, _PARTY),
}

RELATION_TYPES: tuple[str, ...] = tuple(RELATIONS)


def relation_allowed(rel_type: str, head_label: str, tail_label: str) -> bool:
    """True when the schema allows ``head_label -> tail_label`` for ``rel_type``."""
    if rel_type not in RELATIONS:
        return False
    heads, tails = RELATIONS[rel_type]
    return head_label in heads and tail_label in tails
