"""The span_ruler pattern files (AMOUNT_CURRENCY, STATUTE, SENTENCE, PLACE/DEMONYM) and their loader.

Every sentence here was written for this file; none is quoted or paraphrased from a cable.
"""
from __future__ import annotations

import json

import pytest
import spacy

from tipx.components.patterns import ALLOWED_LABELS, PATTERNS_DIR, make_patterns, read_patterns
from tipx.schema import LABELS

FILES = ["amount.jsonl", "statute.jsonl", "sentence.jsonl", "places.jsonl"]


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("span_ruler", config={
        "spans_key": "rules",
        # overlapping matches ("$50" inside "$50 to $100") keep the longest, as the pipeline's merger does
        "spans_filter": {"@misc": "spacy.first_longest_spans_filter.v1"},
    })
    ruler.add_patterns(read_patterns([PATTERNS_DIR / f for f in FILES]))
    return nlp


def spans(nlp, text: str, labels: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
    doc = nlp(text)
    return [(s.text, s.label_) for s in sorted(doc.spans["rules"], key=lambda s: s.start)
            if labels is None or s.label_ in labels]


RULE_LABELS = ("AMOUNT_CURRENCY", "STATUTE", "SENTENCE")
A, S, T = "AMOUNT_CURRENCY", "STATUTE", "SENTENCE"

AMOUNTS = [
    ("The recruiter charged each woman $400 for the trip.", [("$400", A)]),
    ("She was promised $1,900 a month as a cleaner.", [("$1,900", A)]),
    ("The broker took US$ 2,500 from each family.", [("US$ 2,500", A)]),
    ("Each worker owed USD 2,500 for the visa.", [("USD 2,500", A)]),
    ("The fee was 2,500 USD per person.", [("2,500 USD", A)]),
    ("The driver was paid 2,000 tenge for each passenger.", [("2,000 tenge", A)]),
    ("The girls were sold for 150 to 200 som each.", [("150 to 200 som", A)]),
    ("Clients paid the madam $50 to $100 a night.", [("$50 to $100", A)]),
    ("The ring charged 1.5 million naira per journey.", [("1.5 million naira", A)]),
    ("The agent took Rs. 20,000 from the boy's father.", [("Rs. 20,000", A)]),
    ("The sponsor deducted KD 500 from her pay.", [("KD 500", A)]),
    ("The debt was set at EUR 40,000 and later at 40,000 euros.", [("EUR 40,000", A), ("40,000 euros", A)]),
    ("The foreman promised 15,000 rubles a month.", [("15,000 rubles", A)]),
    ("The agency kept S$2,900 of her salary.", [("S$2,900", A)]),
    ("The farm owner withheld R$ 1.200 from each cutter.", [("R$ 1.200", A)]),
    ("He paid 50 dollars for the girl and 300,000 soums to the guard.", [("50 dollars", A), ("300,000 soums", A)]),
    ("The smuggler asked for 5,000 SOM.", [("5,000 SOM", A)]),
    ("The agency deducted 30,000 tenge ($65) from the first wage.", [("30,000 tenge", A), ("$65", A)]),
    ("Brokers asked between $1,500 and $2,500 per placement.", [("$1,500 and $2,500", A)]),
    ("She was resold for 1,500 Argentine pesos.", [("1,500 Argentine pesos", A)]),
    ("Each family received 10,000 CFA francs.", [("10,000 CFA francs", A)]),
    ("The boy was bought for fifty dollars.", [("fifty dollars", A)]),
    ("Recruiters collected NT$2,000 to 3,000 and $10k in fees.", [("NT$2,000 to 3,000", A), ("$10k", A)]),
    ("The employer owed IQD 1 to 3 million in wages.", [("IQD 1 to 3 million", A)]),
    ("The owner paid R 1,200 a month and fined them K300 for lateness.", [("R 1,200", A), ("K300", A)]),
    ("Approximately 8,000 som changed hands.", [("8,000 som", A)]),
]

STATUTES = [
    ("He was charged under Article 128 of the Criminal Code last year.", [("Article 128 of the Criminal Code", S)]),
    ("She was convicted under article 171 of the criminal code.", [("article 171 of the criminal code", S)]),
    ("Prosecutors cited Criminal Code article 128 in the indictment.", [("Criminal Code article 128", S)]),
    ("Both were charged under Articles 132 and 133 of the Criminal Code.",
     [("Articles 132 and 133 of the Criminal Code", S)]),
    ("Article 3 of the Penal Code prohibits forced labor.", [("Article 3 of the Penal Code", S)]),
    ("The court applied Section 370 of the Indian Penal Code.", [("Section 370 of the Indian Penal Code", S)]),
    ("The emirate enacted Law 91 of 2013 and Law No. 3/2008.", [("Law 91 of 2013", S), ("Law No. 3/2008", S)]),
    ("The Child Rights Act of 2003 protects minors.", [("Child Rights Act of 2003", S)]),
    ("Parliament amended the Law on Combating Trafficking in Persons in 2012.",
     [("Law on Combating Trafficking in Persons", S)]),
    ("The report is required by the Trafficking Victims Protection Act.", [("Trafficking Victims Protection Act", S)]),
    ("The ministry cited the Palermo Protocol and ILO Convention 182.", [("Palermo Protocol", S), ("ILO Convention 182", S)]),
    ("The country ratified ILO Conventions 138 and 182.", [("ILO Conventions 138 and 182", S)]),
    ("It acceded to the UN Convention against Transnational Organized Crime.",
     [("UN Convention against Transnational Organized Crime", S)]),
    ("He was charged under the Uzbek Criminal Code.", [("Uzbek Criminal Code", S)]),
    ("The case was brought under Article 127, part 2 of the Criminal Code.",
     [("Article 127, part 2 of the Criminal Code", S)]),
    ("The judge applied article 145 bis of the Penal Code and Section 4(a) of RA 9208.",
     [("article 145 bis of the Penal Code", S), ("Section 4(a) of RA 9208", S)]),
    ("ARTICLE 128 OF THE CRIMINAL CODE APPLIES.", [("ARTICLE 128 OF THE CRIMINAL CODE", S)]),
    ("Under the Anti-Prostitution Law and the Immigration Control Act, the club owner was tried.",
     [("Anti-Prostitution Law", S), ("Immigration Control Act", S)]),
]

SENTENCES = [
    ("The court sentenced him to eight years in prison.", [("eight years in prison", T)]),
    ("She received 3 to 5 years' imprisonment.", [("3 to 5 years' imprisonment", T)]),
    ("The accomplice got five years' imprisonment.", [("five years' imprisonment", T)]),
    ("The driver got a suspended sentence of two years.", [("suspended sentence of two years", T)]),
    ("His wife received a two-year suspended sentence.", [("two-year suspended sentence", T)]),
    ("The organizer was given life imprisonment.", [("life imprisonment", T)]),
    ("He will serve 10 years in a high-security penal colony.", [("10 years in a high-security penal colony", T)]),
    ("The guard got six months in jail.", [("six months in jail", T)]),
    ("The owner paid a fine of 500,000 pesos.", [("fine of 500,000 pesos", T)]),
    ("Both were put on three years of probation.", [("three years of probation", T)]),
    ("The aunt received five years with postponement.", [("five years with postponement", T)]),
    ("He was sentenced to eight years and four months in prison.", [("eight years and four months in prison", T)]),
    ("The court gave her an 18-month sentence suspended for three years.",
     [("18-month sentence suspended for three years", T)]),
    ("The judge imposed a fine of KSh 100,000.", [("fine of KSh 100,000", T)]),
]

PLACES = [
    ("Women from northern Tajikistan were taken to Dubai via Almaty.",
     [("northern Tajikistan", "PLACE"), ("Dubai", "PLACE"), ("Almaty", "PLACE")]),
    ("Uzbek women were sold in Istanbul.", [("Uzbek", "DEMONYM"), ("Istanbul", "PLACE")]),
    ("Kyrgyzstanis and Nepalis worked there.", [("Kyrgyzstanis", "DEMONYM"), ("Nepalis", "DEMONYM")]),
    ("The girls came from Issyk-Kul Oblast and Jalal-Abad.", [("Issyk-Kul Oblast", "PLACE"), ("Jalal-Abad", "PLACE")]),
    ("MIGRANTS FROM UZBEKISTAN WERE HELD IN KAZAKHSTAN.", [("UZBEKISTAN", "PLACE"), ("KAZAKHSTAN", "PLACE")]),
    ("Maids from Cote d'Ivoire and Côte d'Ivoire went to the United Arab Emirates.",
     [("Cote d'Ivoire", "PLACE"), ("Côte d'Ivoire", "PLACE"), ("United Arab Emirates", "PLACE")]),
    ("Boys from Burma were found in Ho Chi Minh City.", [("Burma", "PLACE"), ("Ho Chi Minh City", "PLACE")]),
]

NEGATIVES = [
    "Police opened 959 cases in 2008 involving girls aged 15.",
    "The law was passed in 2008 and amended in 2011.",
    "In 2008 dollars the shelter budget was higher.",
    "The article described the case in detail.",
    "Under the new law, the statute and the relevant legislation apply.",
    "The Bureau of International Narcotics and Law Enforcement Affairs held a training.",
    "A 15-year-old girl worked for five years in a brick kiln.",
    "The victims endured five years of forced labor.",
    "The three-year program ended two years ago.",
    "He was 17 years old and worked 12 hours a day.",
    "The kiln is 200 KM from the border.",
]


@pytest.mark.parametrize("text, expected", AMOUNTS, ids=[e[0][0] for _, e in AMOUNTS])
def test_amounts(nlp, text, expected):
    assert spans(nlp, text, RULE_LABELS) == expected


@pytest.mark.parametrize("text, expected", STATUTES, ids=[e[0][0] for _, e in STATUTES])
def test_statutes(nlp, text, expected):
    assert spans(nlp, text, RULE_LABELS) == expected


@pytest.mark.parametrize("text, expected", SENTENCES, ids=[e[0][0] for _, e in SENTENCES])
def test_sentences(nlp, text, expected):
    assert spans(nlp, text, RULE_LABELS) == expected


@pytest.mark.parametrize("text, expected", PLACES, ids=[e[0][0] for _, e in PLACES])
def test_places(nlp, text, expected):
    assert spans(nlp, text) == expected


@pytest.mark.parametrize("text", NEGATIVES)
def test_negatives(nlp, text):
    assert spans(nlp, text, RULE_LABELS) == []


def test_no_place_for_common_words(nlp):
    assert spans(nlp, "Male workers were reading the orange notice about turkey and chad.") == []


def test_pattern_ids_carry_the_country(nlp):
    doc = nlp("They were moved from Osh to Dubai and sold to Moldovan pimps.")
    ids = {s.text: s.id_.split("|") for s in doc.spans["rules"]}
    assert "KG" in ids["Osh"] or any(i.startswith("KG-") for i in ids["Osh"])
    assert "AE" in ids["Dubai"]
    assert ids["Moldovan"] == ["MD"]


def test_files_use_only_allowed_labels():
    pats = read_patterns([PATTERNS_DIR])
    labels = {p["label"] for p in pats}
    assert labels <= ALLOWED_LABELS
    assert {"AMOUNT_CURRENCY", "STATUTE", "SENTENCE", "PLACE", "DEMONYM"} <= labels
    assert ALLOWED_LABELS == set(LABELS) | {"PLACE", "DEMONYM"}


def test_gazetteer_size():
    assert (PATTERNS_DIR / "places.jsonl").stat().st_size < 3 * 1024 * 1024


def test_files_match_their_manifest():
    import hashlib

    manifest = json.loads((PATTERNS_DIR / "MANIFEST.json").read_text(encoding="utf-8"))
    assert set(manifest["files"]) == set(FILES)
    for name, entry in manifest["files"].items():
        data = (PATTERNS_DIR / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], f"{name} was edited by hand; regenerate it"


def test_generated_files_are_current():
    from importlib.metadata import version

    from tipx.resources import build_gazetteers, build_patterns

    built = json.loads((PATTERNS_DIR / "MANIFEST.json").read_text(encoding="utf-8"))["built_with"]
    if built != {"pycountry": version("pycountry"), "spacy": spacy.__version__}:
        pytest.skip(f"pattern files were built with {built}; regenerate them to compare")
    assert build_patterns.main(["--check"]) == 0, "run python -m tipx.resources.build_patterns"
    assert build_gazetteers.main(["--check"]) == 0, "run python -m tipx.resources.build_gazetteers"


# -- the loader ------------------------------------------------------------------------------------

def _write(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


GOOD = json.dumps({"label": "STATUTE", "pattern": [{"LOWER": "palermo"}, {"LOWER": "protocol"}], "id": "x"})


def test_unknown_label_names_file_and_line(tmp_path):
    f = _write(tmp_path / "bad.jsonl", [GOOD, json.dumps({"label": "MONEY", "pattern": "$5"})])
    with pytest.raises(ValueError, match=r"bad\.jsonl:2: unknown label 'MONEY'"):
        read_patterns([f])


def test_bad_json_names_file_and_line(tmp_path):
    f = _write(tmp_path / "broken.jsonl", [GOOD, GOOD, '{"label": "STATUTE", "pattern": [}'])
    with pytest.raises(ValueError, match=r"broken\.jsonl:3: not valid JSON"):
        read_patterns([f])


@pytest.mark.parametrize("pattern", [42, {"LOWER": "x"}, ["x", "y"], [], None])
def test_bad_pattern_shape(tmp_path, pattern):
    f = _write(tmp_path / "shape.jsonl", [json.dumps({"label": "SENTENCE", "pattern": pattern})])
    with pytest.raises(ValueError, match=r"shape\.jsonl:1: .*pattern"):
        read_patterns([f])


def test_folder_comments_and_blank_lines(tmp_path):
    _write(tmp_path / "b.jsonl", ["// a comment", "", GOOD])
    _write(tmp_path / "a.jsonl", [json.dumps({"label": "PLACE", "pattern": "Osh"})])
    (tmp_path / "notes.txt").write_text("not a pattern file")
    pats = read_patterns([tmp_path])
    assert [p["label"] for p in pats] == ["PLACE", "STATUTE"]  # a.jsonl before b.jsonl


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_patterns([tmp_path / "nope.jsonl"])


def test_registered_reader_resolves_shipped_names():
    from spacy.util import registry

    assert registry.misc.get("tipx.patterns.v1") is make_patterns
    by_name = make_patterns("amount.jsonl, sentence.jsonl")
    by_list = make_patterns(["amount.jsonl", "sentence.jsonl"])
    by_path = read_patterns([PATTERNS_DIR / "amount.jsonl", PATTERNS_DIR / "sentence.jsonl"])
    assert by_name == by_list == by_path


def test_config_initialize_block_loads_patterns():
    nlp = spacy.blank("en")
    nlp.add_pipe("span_ruler", config={"spans_key": "rules"})
    nlp.config["initialize"]["components"]["span_ruler"] = {
        "patterns": {"@misc": "tipx.patterns.v1", "paths": ["statute.jsonl"]}}
    nlp.initialize()
    doc = nlp("They were charged under Article 3 of the Penal Code.")
    assert ("Article 3 of the Penal Code", "STATUTE") in [(s.text, s.label_) for s in doc.spans["rules"]]
