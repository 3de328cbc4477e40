"""JSONL records <-> spaCy Docs/DocBin: lossless round trip, misaligned and inconsistent spans."""
from __future__ import annotations

import hashlib

import pytest
import spacy
from spacy.tokens import DocBin

from tipx.annotations.docbin import (
    MisalignedSpanError,
    canonical_record,
    docs_to_records,
    meta_of,
    read_docbin,
    record_to_doc,
    records_to_docbin_file,
    records_to_docs,
    relations_of,
    to_docbin,
)
from tipx.annotations.records import RecordError, read_jsonl, write_jsonl


def ent(text: str, phrase: str, label: str, eid, nth: int = 0) -> dict:
    start = -1
    for _ in range(nth + 1):
        start = text.index(phrase, start + 1)
    return {"id": eid, "label": label, "start_offset": start, "end_offset": start + len(phrase)}


A = "Two businesswomen from Almaty recruited 12 girls in rural areas of Osh, promising wages of 150 to 200 som a day."
B = "The madam of the sauna got eight years in prison under Criminal Code article 128.\nHer accomplice, a Kyrgyz woman, paid $400 for each girl.\n"
C = "Karakalpak labor migrants were moved\r\nthrough Kazakhstan  to Moscow; no one was charged.  "


@pytest.fixture()
def records(tmp_path):
    (tmp_path / "b.txt").write_bytes(B.encode("utf-8"))
    return [
        {
            "id": "a-1",
            "text": A,
            # entity ids out of order and not 1..n: the way back renumbers them by offset
            "entities": [
                ent(A, "150 to 200 som", "AMOUNT_CURRENCY", "e9"),
                ent(A, "Two businesswomen", "RECRUITER", "e2"),
                ent(A, "12 girls", "VICTIM", "e5"),
                ent(A, "rural areas of Osh", "VICTIM_ORIGIN", "e7"),
            ],
            "relations": [
                {"id": 10, "from_id": "e2", "to_id": "e5", "type": "RECRUITED"},
                {"id": 4, "from_id": "e5", "to_id": "e7", "type": "ORIGIN"},
                {"id": 7, "from_id": "e2", "to_id": "e9", "type": "AMOUNT"},
            ],
            "cable_id": "08ASTANA1246",
            "split": "train",
            "meta": {"annotator": "hand", "checked": True, "tags": ["seed", 2], "note": None, "score": 0.75},
        },
        {   # standoff: no text, read from b.txt
            "id": "b-2",
            "entities": [
                ent(B, "madam of the sauna", "PERPETRATOR", 1),
                ent(B, "eight years in prison", "SENTENCE", 2),
                ent(B, "Criminal Code article 128", "STATUTE", 3),
                ent(B, "Kyrgyz woman", "PERPETRATOR", 4),
                ent(B, "$400", "AMOUNT_CURRENCY", 5),
                ent(B, "girl", "VICTIM", 6),
            ],
            "relations": [
                {"id": 1, "from_id": 1, "to_id": 2, "type": "SENTENCED_TO"},
                {"id": 2, "from_id": 1, "to_id": 3, "type": "CHARGED_UNDER"},
                {"id": 3, "from_id": 4, "to_id": 1, "type": "ACCOMPLICE"},
                {"id": 4, "from_id": 4, "to_id": 5, "type": "AMOUNT"},
                {"id": 5, "from_id": 4, "to_id": 6, "type": "EXPLOITED"},
            ],
            "source": "b.txt",
            "sha256": hashlib.sha256(B.encode("utf-8")).hexdigest(),
        },
        {   # odd whitespace, CRLF, no id, no relations
            "text": C,
            "entities": [ent(C, "Karakalpak", "VICTIM_ORIGIN", 1), ent(C, "labor migrants", "VICTIM", 2), ent(C, "Moscow", "DESTINATION", 3)],
            "relations": [],
        },
    ]


def test_canonical_record_renumbers_by_offset(records):
    canon = canonical_record(records[0])
    assert list(canon) == ["id", "text", "entities", "relations", "cable_id", "split", "meta"]
    assert canon["entities"] == [
        ent(A, "Two businesswomen", "RECRUITER", 1),
        ent(A, "12 girls", "VICTIM", 2),
        ent(A, "rural areas of Osh", "VICTIM_ORIGIN", 3),
        ent(A, "150 to 200 som", "AMOUNT_CURRENCY", 4),
    ]
    assert canon["relations"] == [
        {"id": 1, "from_id": 1, "to_id": 2, "type": "RECRUITED"},
        {"id": 2, "from_id": 1, "to_id": 4, "type": "AMOUNT"},
        {"id": 3, "from_id": 2, "to_id": 3, "type": "ORIGIN"},
    ]
    assert canonical_record(canon) == canon


def test_docs_carry_entities_relations_and_metadata(records, tmp_path):
    doc = record_to_doc(records[1], raw_dirs=[tmp_path])
    assert doc.text == B
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("madam of the sauna", "PERPETRATOR"), ("eight years in prison", "SENTENCE"), ("Criminal Code article 128", "STATUTE"),
        ("Kyrgyz woman", "PERPETRATOR"), ("$400", "AMOUNT_CURRENCY"), ("girl", "VICTIM"),
    ]
    madam, kyrgyz = (B.index("madam of the sauna"), B.index("madam of the sauna") + 18), (B.index("Kyrgyz woman"), B.index("Kyrgyz woman") + 12)
    assert (*kyrgyz, *madam, "ACCOMPLICE") in relations_of(doc)
    assert meta_of(doc) == {"id": "b-2", "source": "b.txt", "sha256": records[1]["sha256"]}


def test_round_trip_through_docbin_bytes_is_lossless(records, tmp_path):
    docs = records_to_docs(records, raw_dirs=[tmp_path])
    data = to_docbin(docs).to_bytes()
    nlp = spacy.blank("en")
    back = docs_to_records(DocBin().from_bytes(data).get_docs(nlp.vocab))
    assert back == [canonical_record(r) for r in records]
    assert "text" not in back[1]  # the standoff record stays standoff
    assert back[0]["meta"] == {"annotator": "hand", "checked": True, "tags": ["seed", 2], "note": None, "score": 0.75}
    assert back[2]["text"] == C and "id" not in back[2]


def test_round_trip_jsonl_file_to_spacy_file_to_jsonl(records, tmp_path):
    src, spacy_file, dst = tmp_path / "in.jsonl", tmp_path / "out" / "train.spacy", tmp_path / "back.jsonl"
    write_jsonl(src, records)
    assert records_to_docbin_file(list(read_jsonl(src)), spacy_file, raw_dirs=[tmp_path]) == 3
    write_jsonl(dst, docs_to_records(read_docbin(spacy_file)))
    again = [{k: v for k, v in r.items() if k != "_where"} for r in read_jsonl(dst)]
    assert again == [canonical_record(r) for r in records]
    assert [p.name for p in spacy_file.parent.iterdir()] == ["train.spacy"]  # no temp file left


def test_misaligned_span_names_record_and_text(records, tmp_path):
    bad = dict(records[0], entities=[{"id": 1, "label": "RECRUITER", "start_offset": 4, "end_offset": 12}], relations=[])
    assert A[4:12] == "business"
    with pytest.raises(MisalignedSpanError, match=r"record 'a-1'.*'business'.*token boundaries"):
        record_to_doc(bad)
    out = tmp_path / "never.spacy"
    with pytest.raises(MisalignedSpanError):
        records_to_docbin_file([records[2], bad], out)
    assert not out.exists()


def test_misaligned_span_from_a_file_names_the_line(records, tmp_path):
    bad = dict(records[2], entities=[ent(C, "Karakalpa", "VICTIM_ORIGIN", 1)])
    src = tmp_path / "bad.jsonl"
    write_jsonl(src, [records[0], bad])
    with pytest.raises(MisalignedSpanError, match=r"bad\.jsonl:2: .*'Karakalpa'"):
        records_to_docs(read_jsonl(src))


def test_overlap_dangling_relation_and_bad_offsets_are_errors(records):
    overlap = dict(records[0], entities=[ent(A, "Two businesswomen", "RECRUITER", 1), ent(A, "businesswomen", "PERPETRATOR", 2)], relations=[])
    with pytest.raises(RecordError, match="overlap"):
        record_to_doc(overlap)
    dangling = dict(records[0], relations=[{"id": 1, "from_id": "e2", "to_id": "e99", "type": "RECRUITED"}])
    with pytest.raises(RecordError, match="'e99'"):
        record_to_doc(dangling)
    with pytest.raises(RecordError, match="'e99'"):
        canonical_record(dangling)
    outside = dict(records[2], entities=[{"id": 1, "label": "DESTINATION", "start_offset": 80, "end_offset": 200}])
    with pytest.raises(RecordError, match="outside the text"):
        record_to_doc(outside)


def test_standoff_record_with_changed_raw_file_is_refused(records, tmp_path):
    (tmp_path / "b.txt").write_bytes(B.replace("eight", "nine").encode("utf-8"))
    with pytest.raises(RecordError, match="raw file changed"):
        record_to_doc(records[1], raw_dirs=[tmp_path])
