"""``tipx report``: a static HTML report of a run folder's tipx.sqlite.

The run folder is built here from team-written cables in the ``tipx run`` schema. The pages are
checked with Python (escaping, highlights, counts, sums, the route graph) and then rendered by
Debian's headless Chromium (DOM dump and screenshot).
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
import struct
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tipx.cases import normalize_sentence
from tipx.cli import app
from tipx.report import ReportError, build_report
from tipx.report.build import render_text

runner = CliRunner()

SCHEMA = """
CREATE TABLE documents(doc_key TEXT PRIMARY KEY, id TEXT, source TEXT, path TEXT, date TEXT, origin TEXT,
  classification TEXT, subject TEXT, tags TEXT, text TEXT, n_entities INT, n_relations INT);
CREATE TABLE paragraphs(doc_key TEXT, number INT, start INT, end INT, text TEXT);
CREATE TABLE entities(doc_key TEXT, entity_id INT, label TEXT, start_offset INT, end_offset INT, text TEXT,
  score REAL, paragraph INT);
CREATE TABLE relations(doc_key TEXT, relation_id INT, from_id INT, to_id INT, type TEXT, score REAL);
CREATE TABLE cases(doc_key TEXT, case_id INT, recruiters TEXT, perpetrators TEXT, victims TEXT, origins TEXT,
  destinations TEXT, routes TEXT, amounts TEXT, statutes TEXT, sentences TEXT, paragraphs TEXT);
"""

SCRIPT = "<script>alert(1)</script>"

# ---------------------------------------------------------------------------------------------
# three team-written cables: text, paragraphs, entities (label, surface, search from), relations, cases

KYIV = f"""UNCLASSIFIED KYIV 000123

SUBJECT: UKRAINE: {SCRIPT} RECRUITERS & TRAFFICKERS

1. (U) Police arrested Ivan Petrenko & Sons <Ltd> for recruiting
women from Moldova to work in Turkey. Each woman paid $1,500 to the
agency.

2. (U) Petrenko was charged under Article 149 of the Criminal Code
and sentenced to eight years in prison.
"""

BANGKOK = f"""CONFIDENTIAL BANGKOK 000815

SUBJECT: THAILAND: BROKERS SELL WORKERS TO FISHING BOATS

1. (C) Brokers of the "{SCRIPT}" network & partners sold
40 men from Cambodia and migrants from Myanmar to boats in Samut Sakhon
for 50,000 baht each; a broker named Somchai took $250.35 per man.

2. (C) Somchai also charged 10.1 dollars in "fees" and a further sum
in cash. Police charged Somchai under Section 6 of the Anti-Trafficking
Act & the Penal Code.
"""

LIMA = """UNCLASSIFIED LIMA 001902

SUBJECT: PERU: A & B <TRAFFICKING> UPDATE

1. (U) A recruiter, Maria Quispe, brought girls from MOLDOVA to
Turkey and asked their families for $2,000 to $3,000 and 1,200.50
soles.

2. (U) Quispe worked with PETRENKO. Other girls from Nigeria were
found; their destination is unknown.  Quispe was charged under
Article 153 of the Penal Code.
"""


def amount(text, value=None, lo=None, hi=None, currency=None):
    if value is not None:
        lo = hi = value
    return {"text": text, "value": value, "min": lo, "max": hi, "currency": currency}


DOCS = [
    {
        "id": "09KYIV123", "date": "2009-02-11", "origin": "Embassy Kyiv", "classification": "UNCLASSIFIED",
        "subject": f"UKRAINE: {SCRIPT} RECRUITERS & TRAFFICKERS", "tags": "KTIP, KCRM, UP", "text": KYIV,
        "paragraphs": ["1. (U)", "2. (U)"],
        "entities": [
            ("RECRUITER", "Ivan Petrenko & Sons <Ltd>", None, 0.91),
            ("VICTIM", "women", None, 0.88),
            ("VICTIM_ORIGIN", "Moldova", None, 0.95),
            ("DESTINATION", "Turkey", None, 0.93),
            ("AMOUNT_CURRENCY", "$1,500", None, 0.97),
            ("PERPETRATOR", "Petrenko", "2. (U)", 0.8),
            ("STATUTE", "Article 149 of the Criminal Code", None, 0.99),
            ("SENTENCE", "eight years in prison", None, 0.9),
        ],
        "relations": [(1, 2, "RECRUITED"), (2, 3, "ORIGIN"), (2, 4, "DESTINATION"), (2, 5, "AMOUNT"),
                      (6, 7, "CHARGED_UNDER"), (6, 8, "SENTENCED_TO")],
        "cases": [{
            "recruiters": ["Ivan Petrenko & Sons <Ltd>"], "perpetrators": ["Petrenko"], "victims": ["women"],
            "origins": ["Moldova"], "destinations": ["Turkey"], "routes": [{"from": "Moldova", "to": "Turkey"}],
            "amounts": [amount("$1,500", 1500, currency="USD")],
            "statutes": ["Article 149 of the Criminal Code"],
            "sentences": [normalize_sentence("eight years in prison")], "paragraphs": [1, 2],
        }],
    },
    {
        "id": "08BANGKOK815", "date": "2008-03-05", "origin": "Embassy Bangkok", "classification": "CONFIDENTIAL",
        "subject": "THAILAND: BROKERS SELL WORKERS TO FISHING BOATS", "tags": "KTIP, ELAB, TH", "text": BANGKOK,
        "paragraphs": ["1. (C)", "2. (C)"],
        "entities": [
            ("PERPETRATOR", f'Brokers of the "{SCRIPT}" network & partners', None, 0.62),
            ("VICTIM", "40 men", None, 0.85),
            ("VICTIM_ORIGIN", "Cambodia", None, 0.9),
            ("VICTIM", "migrants", None, 0.7),
            ("VICTIM_ORIGIN", "Myanmar", None, 0.92),
            ("DESTINATION", "Samut Sakhon", None, 0.77),
            ("AMOUNT_CURRENCY", "50,000 baht", None, 0.96),
            ("PERPETRATOR", "Somchai", None, 0.83),
            ("AMOUNT_CURRENCY", "$250.35", None, 0.95),
            ("PERPETRATOR", "Somchai", "2. (C)", 0.81),
            ("AMOUNT_CURRENCY", "10.1 dollars", None, 0.74),
            ("AMOUNT_CURRENCY", "a further sum", None, 0.41),
            ("STATUTE", "Section 6 of the Anti-Trafficking\nAct & the Penal Code", None, 0.88),
        ],
        "relations": [(1, 2, "EXPLOITED"), (2, 3, "ORIGIN"), (2, 6, "DESTINATION"), (4, 5, "ORIGIN"),
                      (4, 6, "DESTINATION"), (2, 7, "AMOUNT"), (8, 9, "AMOUNT"), (10, 11, "AMOUNT"),
                      (10, 12, "AMOUNT"), (10, 13, "CHARGED_UNDER"), (1, 8, "ACCOMPLICE")],
        "cases": [{
            "recruiters": [], "perpetrators": [f'Brokers of the "{SCRIPT}" network & partners', "Somchai"],
            "victims": ["40 men", "migrants"], "origins": ["Cambodia", "Myanmar"], "destinations": ["Samut Sakhon"],
            "routes": [{"from": "Cambodia", "to": "Samut Sakhon"}, {"from": "Myanmar", "to": "Samut Sakhon"}],
            "amounts": [amount("50,000 baht", 50000, currency="THB"), amount("$250.35", 250.35, currency="USD"),
                        amount("10.1 dollars", 10.1, currency="USD"), amount("a further sum")],
            "statutes": ["Section 6 of the Anti-Trafficking\nAct & the Penal Code"], "sentences": [],
            "paragraphs": [1, 2],
        }],
    },
    {
        "id": "07LIMA1902", "date": "2007-10-30", "origin": "Embassy Lima", "classification": "UNCLASSIFIED",
        "subject": "PERU: A & B <TRAFFICKING> UPDATE", "tags": "KTIP, PE", "text": LIMA,
        "paragraphs": ["1. (U)", "2. (U)"],
        "entities": [
            ("RECRUITER", "Maria Quispe", None, 0.9),
            ("VICTIM", "girls", None, 0.86),
            ("VICTIM_ORIGIN", "MOLDOVA", None, 0.9),
            ("DESTINATION", "Turkey", None, 0.9),
            ("AMOUNT_CURRENCY", "$2,000 to $3,000", None, 0.93),
            ("AMOUNT_CURRENCY", "1,200.50\nsoles", None, 0.9),
            ("PERPETRATOR", "Quispe", "2. (U)", 0.7),
            ("PERPETRATOR", "PETRENKO", None, 0.66),
            ("VICTIM", "Other girls", None, 0.8),
            ("VICTIM_ORIGIN", "Nigeria", None, 0.88),
            ("STATUTE", "Article 153 of the Penal Code", None, 0.97),
        ],
        "relations": [(1, 2, "RECRUITED"), (2, 3, "ORIGIN"), (2, 4, "DESTINATION"), (2, 5, "AMOUNT"),
                      (1, 6, "AMOUNT"), (7, 8, "ACCOMPLICE"), (7, 11, "CHARGED_UNDER"), (9, 10, "ORIGIN")],
        "cases": [
            {"recruiters": ["Maria Quispe"], "perpetrators": ["Quispe", "PETRENKO"], "victims": ["girls"],
             "origins": ["MOLDOVA"], "destinations": ["Turkey"], "routes": [{"from": "MOLDOVA", "to": "Turkey"}],
             "amounts": [amount("$2,000 to $3,000", None, 2000, 3000, "USD"), amount("1,200.50\nsoles", 1200.5, currency="PEN")],
             "statutes": ["Article 153 of the Penal Code"], "sentences": [], "paragraphs": [1, 2]},
            {"recruiters": [], "perpetrators": [], "victims": ["Other girls"], "origins": ["Nigeria"], "destinations": [],
             "routes": [{"from": "Nigeria", "to": None}], "amounts": [], "statutes": [], "sentences": [], "paragraphs": [2]},
        ],
    },
]


def doc_key(doc: dict) -> str:
    return hashlib.sha256(doc["text"].encode()).hexdigest()


def write_run(run_dir: Path, docs: list[dict]) -> Path:
    """A tipx.sqlite in ``run_dir`` holding ``docs``, offsets computed from the texts."""
    run_dir.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(run_dir / "tipx.sqlite")
    con.executescript(SCHEMA)
    for doc in docs:
        key, text = doc_key(doc), doc["text"]
        starts = [text.index(marker) for marker in doc["paragraphs"]]
        bounds = list(zip(starts, starts[1:] + [len(text)]))
        for number, (s, e) in enumerate(bounds, 1):
            con.execute("INSERT INTO paragraphs VALUES (?,?,?,?,?)", (key, number, s, e, text[s:e]))
        pos = 0
        for eid, (label, surface, after, score) in enumerate(doc["entities"], 1):
            start = text.index(surface, text.index(after) if after else pos)
            pos = start + len(surface)
            para = max(n for n, (s, _) in enumerate(bounds, 1) if s <= start) if start >= bounds[0][0] else None
            con.execute("INSERT INTO entities VALUES (?,?,?,?,?,?,?,?)", (key, eid, label, start, pos, surface, score, para))
        for rid, (head, tail, rtype) in enumerate(doc["relations"], 1):
            con.execute("INSERT INTO relations VALUES (?,?,?,?,?,?)", (key, rid, head, tail, rtype, 0.5 + rid / 100))
        for cid, case in enumerate(doc.get("cases", []), 1):
            con.execute("INSERT INTO cases VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", (
                key, cid, *(json.dumps(case[k], ensure_ascii=False) for k in (
                    "recruiters", "perpetrators", "victims", "origins", "destinations", "routes", "amounts",
                    "statutes", "sentences", "paragraphs"))))
        con.execute("INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", (
            key, doc["id"], doc["id"] + ".txt", "/data/cables/" + doc["id"] + ".txt", doc["date"], doc["origin"],
            doc["classification"], doc["subject"], doc["tags"], text, len(doc["entities"]), len(doc["relations"])))
    con.commit()
    con.close()
    return run_dir


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """The report folder of the three-cable run."""
    run = write_run(tmp_path_factory.mktemp("run"), DOCS)
    index = build_report(run)
    assert index == run / "report" / "index.html"
    return index.parent


def page_of(report: Path, doc: dict) -> Path:
    return report / "docs" / (doc_key(doc)[:16] + ".html")


# ---------------------------------------------------------------------------------------------
# a small DOM from html.parser, enough to query the pages and Chromium's dump


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict, parent: Node | None = None):
        self.tag, self.attrs, self.parent, self.children = tag, attrs, parent, []

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self):
        for c in self.children:
            if isinstance(c, Node):
                yield c
                yield from c.iter()

    def find_all(self, tag: str, cls: str | None = None) -> list[Node]:
        return [n for n in self.iter() if n.tag == tag and (cls is None or cls in n.classes)]

    def find(self, tag: str, cls: str | None = None) -> Node:
        found = self.find_all(tag, cls)
        assert found, f"no <{tag} class={cls}>"
        return found[0]

    def rows(self) -> list[list[str]]:
        """A table's body rows as cell texts."""
        return [[td.text().strip() for td in tr.find_all("td")] for tr in self.find("tbody").find_all("tr")]


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.cur = Node("#document", {})

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.cur)
        self.cur.children.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, dict(attrs), self.cur))

    def handle_endtag(self, tag):
        node = self.cur
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.cur = node.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def dom(html_text: str) -> Node:
    b = _Builder()
    b.feed(html_text)
    b.close()
    return b.root


def read_dom(path: Path) -> Node:
    return dom(path.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# the files


def test_files_written(report):
    assert (report / "index.html").is_file() and (report / "routes.svg").is_file()
    pages = sorted(p.name for p in (report / "docs").iterdir())
    assert pages == sorted(doc_key(d)[:16] + ".html" for d in DOCS)


def test_no_markup_from_data_in_any_file(report):
    files = [p for p in report.rglob("*") if p.is_file()]
    assert len(files) == 5
    stray_amp = re.compile(r"&(?!(?:amp|lt|gt|quot|#x27|#\d+);)")
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert "<script" not in text.lower(), path
        assert "<Ltd>" not in text and "<TRAFFICKING>" not in text, path
        assert not stray_amp.search(text), (path, stray_amp.search(text))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page_of(report, DOCS[0]).read_text()   # subject and text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page_of(report, DOCS[1]).read_text()   # inside an entity
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in (report / "index.html").read_text()     # subject, perpetrator


def test_static_and_offline(report):
    """Every link and the image resolve to files of the report; nothing is fetched from the network."""
    for path in [report / "index.html", *(report / "docs").iterdir()]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(?:src|href)=\"(?:https?:)?//", text), path
        for node in read_dom(path).iter():
            ref = node.attrs.get("href") or node.attrs.get("src")
            if ref and not ref.startswith("#"):
                assert (path.parent / ref.split("#")[0]).is_file(), (path, ref)


# ---------------------------------------------------------------------------------------------
# one cable's page


@pytest.mark.parametrize("n", range(len(DOCS)))
def test_doc_page_text_and_marks(report, n):
    doc = DOCS[n]
    root = read_dom(page_of(report, doc))
    pre = root.find("pre", "cable")
    # the raw text, exactly, once the markup is read (after the newline that a browser drops after <pre>)
    assert pre.text() == "\n" + doc["text"]
    marks = pre.find_all("mark", "ent")
    assert [(m.classes[1], m.text()) for m in marks] == [(label, surface) for label, surface, _, _ in doc["entities"]]
    assert [m.attrs["title"] for m in marks] == [f"{label} {score:.2f}" for label, _, _, score in doc["entities"]]
    assert [m.attrs["id"] for m in marks] == [f"e{i}" for i in range(1, len(doc["entities"]) + 1)]
    assert {a.attrs["id"] for a in pre.find_all("a", "para")} == {"p1", "p2"}
    assert root.find("h1").text() == doc["id"]
    assert {m.classes[1] for m in root.find("div", "legend").find_all("mark")} == {e[0] for e in doc["entities"]}


def test_doc_page_relations_and_cases(report):
    root = read_dom(page_of(report, DOCS[0]))
    assert root.find("title").text() == f"09KYIV123 \u2014 UKRAINE: {SCRIPT} RECRUITERS & TRAFFICKERS"
    assert root.find("p", "subject").text() == f"UKRAINE: {SCRIPT} RECRUITERS & TRAFFICKERS"
    rels = root.find("table", "relations").rows()
    assert len(rels) == 6
    assert rels[0] == ["1", "RECRUITER Ivan Petrenko & Sons <Ltd>", "RECRUITED", "VICTIM women", "0.51"]
    assert rels[4][1:4] == ["PERPETRATOR Petrenko", "CHARGED_UNDER", "STATUTE Article 149 of the Criminal Code"]
    cases = root.find("table", "cases").rows()
    assert len(cases) == 1
    case = cases[0]
    assert case[1] == "Ivan Petrenko & Sons <Ltd>" and case[4] == "Moldova \u2192 Turkey"
    assert case[5] == "$1,500 (1,500 USD)" and case[7] == "eight years in prison (8 y, custody)" and case[8] == "1, 2"

    lima = read_dom(page_of(report, DOCS[2]))
    cases = lima.find("table", "cases").rows()
    assert [c[4] for c in cases] == ["MOLDOVA \u2192 Turkey", "Nigeria \u2192 ?"]
    assert cases[0][5] == "$2,000 to $3,000 (2,000\u20133,000 USD)1,200.50\nsoles (1,200.5 PEN)"


def test_render_text_skips_overlaps_and_bad_offsets():
    text = "Ana & Bo sold <b>x</b> to Z"
    rows = [
        {"entity_id": 1, "label": "PERPETRATOR", "start_offset": 0, "end_offset": 8, "score": None, "text": "Ana & Bo"},
        {"entity_id": 2, "label": "RECRUITER", "start_offset": 6, "end_offset": 8, "score": 0.5, "text": "Bo"},
        {"entity_id": 3, "label": 'X" onmouseover="alert(1)', "start_offset": 14, "end_offset": 22, "score": 0.123, "text": "<b>x</b>"},
        {"entity_id": 4, "label": "DESTINATION", "start_offset": 26, "end_offset": 40, "score": 1, "text": "Z"},
    ]
    out, skipped = render_text(text, rows, [])
    assert skipped == {1: "overlaps entity 1", 3: "offsets outside the text"}
    root = dom(f"<pre>{out}</pre>")
    assert root.text() == text
    marks = root.find_all("mark")
    assert [(m.attrs["class"], m.attrs["title"], m.text()) for m in marks] == [
        ("ent PERPETRATOR", "PERPETRATOR", "Ana & Bo"),
        ("ent X__onmouseover__alert_1_", 'X" onmouseover="alert(1) 0.12', "<b>x</b>"),
    ]
    assert "onmouseover=" not in out.replace('X&quot; onmouseover=&quot;', "")


# ---------------------------------------------------------------------------------------------
# the corpus page


def test_index_documents_and_counts(report):
    root = read_dom(report / "index.html")
    assert root.find("h1").text() == "tipx report"
    docs = root.find("table", "documents")
    assert [r[0] for r in docs.rows()] == ["07LIMA1902", "08BANGKOK815", "09KYIV123"]  # by date
    assert [r[4:] for r in docs.rows()] == [["11", "8", "2"], ["13", "11", "1"], ["8", "6", "1"]]
    links = [a.attrs["href"] for a in docs.find_all("a")]
    assert links == [f"docs/{doc_key(d)[:16]}.html" for d in (DOCS[2], DOCS[1], DOCS[0])]
    assert [r[3] for r in docs.rows()][2] == f"UKRAINE: {SCRIPT} RECRUITERS & TRAFFICKERS"

    labels = {r[0]: (int(r[1]), int(r[2])) for r in root.find("table", "labels").rows()}
    assert labels == {
        "RECRUITER": (2, 2), "PERPETRATOR": (6, 3), "VICTIM": (5, 3), "VICTIM_ORIGIN": (5, 3),
        "DESTINATION": (3, 3), "AMOUNT_CURRENCY": (7, 3), "STATUTE": (3, 3), "SENTENCE": (1, 1),
    }
    assert [r[0] for r in root.find("table", "labels").rows()][:3] == ["RECRUITER", "PERPETRATOR", "VICTIM"]
    rtypes = {r[0]: int(r[1]) for r in root.find("table", "relation-types").rows()}
    assert rtypes == {"RECRUITED": 2, "ORIGIN": 5, "DESTINATION": 4, "AMOUNT": 7, "CHARGED_UNDER": 3,
                      "SENTENCED_TO": 1, "EXPLOITED": 1, "ACCOMPLICE": 2}


def test_index_parties_and_statutes(report):
    root = read_dom(report / "index.html")
    perps = root.find("table", "perpetrators").rows()
    # "Petrenko" (Kyiv) and "PETRENKO" (Lima) are one name, shown in the form that is not in capitals
    assert perps[0] == ["Petrenko", "2", "2"]
    assert ["Somchai", "2", "1"] in perps and ["Quispe", "1", "1"] in perps
    assert [f'Brokers of the "{SCRIPT}" network & partners', "1", "1"] in perps
    assert len(perps) == 4
    assert sorted(r[0] for r in root.find("table", "recruiters").rows()) == ["Ivan Petrenko & Sons <Ltd>", "Maria Quispe"]
    statutes = root.find("table", "statutes").rows()
    assert sorted(r[0] for r in statutes) == ["Article 149 of the Criminal Code", "Article 153 of the Penal Code",
                                              "Section 6 of the Anti-Trafficking Act & the Penal Code"]


def test_index_amounts_by_currency(report):
    root = read_dom(report / "index.html")
    sums = {s.attrs["data-currency"]: s.attrs["data-value"] for s in root.find_all("span", "sum")}
    # 250.35 + 10.1 + 1500 is 1760.4499999999998 in floats: the sum is exact
    assert sums == {"USD": "1760.45", "THB": "50000", "PEN": "1200.5"}
    rows = {r[0]: r[1:] for r in root.find("table", "currencies").rows()}
    assert rows["USD"] == ["4", "1,760.45", "3", "1: 2,000\u20133,000", ""]
    assert rows["THB"] == ["1", "50,000", "1", "", ""]
    assert rows["PEN"] == ["1", "1,200.5", "1", "", ""]
    assert list(rows) == ["USD", "PEN", "THB"]  # most amounts first, then by code
    unknown = root.find("table", "unknown-currency").rows()
    assert unknown == [["a further sum", "", doc_key(DOCS[1])[:16]]]


def test_route_graph_svg(report):
    svg = ET.parse(report / "routes.svg").getroot()  # well-formed XML
    ns = "{http://www.w3.org/2000/svg}"
    assert svg.tag == f"{ns}svg"
    edges = {(p.get("data-from"), p.get("data-to")): int(p.get("data-count")) for p in svg.iter(f"{ns}path")}
    assert edges == {("Moldova", "Turkey"): 2, ("Cambodia", "Samut Sakhon"): 1, ("Myanmar", "Samut Sakhon"): 1,
                     ("Nigeria", "(unknown)"): 1}
    widths = {(p.get("data-from"), p.get("data-to")): float(p.get("stroke-width")) for p in svg.iter(f"{ns}path")}
    assert widths[("Moldova", "Turkey")] > widths[("Cambodia", "Samut Sakhon")]
    nodes = {(g.get("class"), g.get("data-name")): int(g.get("data-count")) for g in svg.iter(f"{ns}g") if g.get("data-name")}
    assert nodes == {("node origin", "Moldova"): 2, ("node origin", "Cambodia"): 1, ("node origin", "Myanmar"): 1,
                     ("node origin", "Nigeria"): 1, ("node destination", "Turkey"): 2,
                     ("node destination", "Samut Sakhon"): 2, ("node destination", "(unknown)"): 1}
    root = read_dom(report / "index.html")
    img = root.find("img", "routes")
    assert img.attrs["src"] == "routes.svg" and img.attrs["alt"].startswith("Route graph: 4 origin-to-destination pairs")
    routes = root.find("table", "routes").rows()
    assert routes[0] == ["Moldova", "Turkey", "2", "2"] and ["Nigeria", "unknown", "1", "1"] in routes


def test_route_graph_escapes_labels(tmp_path):
    doc = json.loads(json.dumps(DOCS[0]))
    doc["cases"][0]["routes"] = [{"from": "A & <B>\x01", "to": 'C "D"'}]
    write_run(tmp_path / "run", [doc])
    build_report(tmp_path / "run")
    text = (tmp_path / "run" / "report" / "routes.svg").read_text()
    assert "<B>" not in text and "\x01" not in text
    svg = ET.fromstring(text)
    (edge,) = svg.iter("{http://www.w3.org/2000/svg}path")
    assert (edge.get("data-from"), edge.get("data-to")) == ("A & <B>", 'C "D"')


def test_route_graph_folds_many_places():
    from tipx.report.routes_svg import MAX_NODES, render_routes_svg

    edges = {(f"Origin {i}", f"Dest {i % 40}"): 1 + i % 3 for i in range(60)}
    edges[("Origin 0", None)] = 2
    svg = ET.fromstring(render_routes_svg(edges))
    ns = "{http://www.w3.org/2000/svg}"
    nodes = [g for g in svg.iter(f"{ns}g") if g.get("data-name")]
    origins = [g.get("data-name") for g in nodes if g.get("class") == "node origin"]
    dests = [g.get("data-name") for g in nodes if g.get("class") == "node destination"]
    # at most MAX_NODES boxes a side, the last one standing for the places left out
    assert len(origins) == MAX_NODES and origins[-1] == f"other places ({60 - MAX_NODES + 1})"
    assert len(dests) == MAX_NODES and "(unknown)" in dests and dests[-1] == f"other places ({41 - MAX_NODES + 1})"
    paths = list(svg.iter(f"{ns}path"))
    assert sum(int(p.get("data-count")) for p in paths) == sum(edges.values())  # nothing lost in the folding


def test_no_routes(tmp_path):
    doc = dict(DOCS[0], cases=[], relations=[])
    write_run(tmp_path / "run", [doc])
    index = build_report(tmp_path / "run")
    svg = ET.parse(index.parent / "routes.svg").getroot()
    assert "No routes found" in "".join(svg.itertext())
    assert not list(svg.iter("{http://www.w3.org/2000/svg}path"))
    root = read_dom(index)
    assert root.find("img", "routes").attrs["alt"] == "Route graph: no routes found"
    assert "No amounts with a known currency." in root.text()


def test_out_option_and_stale_pages(tmp_path):
    run = write_run(tmp_path / "run", DOCS[:1])
    out = tmp_path / "elsewhere"
    (out / "docs").mkdir(parents=True)
    (out / "docs" / "0123456789abcdef.html").write_text("old page")
    (out / "docs" / "notes.html").write_text("not ours")
    result = runner.invoke(app, ["report", str(run), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"wrote {out / 'index.html'}"
    assert sorted(p.name for p in (out / "docs").iterdir()) == sorted([doc_key(DOCS[0])[:16] + ".html", "notes.html"])
    assert not (run / "report").exists()


# ---------------------------------------------------------------------------------------------
# errors: one line each, exit code 2


def _error(args: list[str]) -> str:
    result = runner.invoke(app, ["report", *args])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tipx report: error: "), result.stderr
    return lines[0]


def test_error_missing_dir(tmp_path):
    assert "run folder not found" in _error([str(tmp_path / "nope")])


def test_error_no_database(tmp_path):
    assert "no tipx.sqlite in" in _error([str(tmp_path)])


def test_error_wrong_schema(tmp_path):
    con = sqlite3.connect(tmp_path / "tipx.sqlite")
    con.executescript(SCHEMA.replace("subject TEXT, tags TEXT, text TEXT", "tags TEXT").replace("CREATE TABLE cases", "CREATE TABLE old_cases"))
    con.close()
    line = _error([str(tmp_path)])
    assert "wrong schema" in line and "table documents lacks column(s) subject, text" in line and "no table cases" in line


def test_error_not_a_database(tmp_path):
    (tmp_path / "tipx.sqlite").write_bytes(b"this is not a database at all " * 100)
    assert "not a database" in _error([str(tmp_path)])
    with pytest.raises(ReportError):
        build_report(tmp_path)


# ---------------------------------------------------------------------------------------------
# headless Chromium


def chromium() -> str:
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if not found:
        pytest.skip("Debian's chromium is not installed: scripts/setup installs it with apt-get when run as root "
                    "(or: apt-get install -y chromium)")
    return found


def run_chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("which", ["index", "doc"])
def test_chromium_renders(report, tmp_path, which):
    path = report / "index.html" if which == "index" else page_of(report, DOCS[0])
    url = path.resolve().as_uri()
    root = dom(run_chromium(tmp_path, "--dump-dom", url).stdout)
    assert not root.find_all("script")
    headings = [h.text() for h in root.find_all("h2")]
    if which == "index":
        assert root.find("h1").text() == "tipx report"
        assert headings == ["Documents", "Counts by label", "Routes: origin \u2192 destination",
                            "Top perpetrators and recruiters", "Statutes", "Amounts by currency"]
        assert root.find("img", "routes").attrs["src"] == "routes.svg"
        assert len(root.find("table", "documents").rows()) == 3
        assert f"UKRAINE: {SCRIPT} RECRUITERS & TRAFFICKERS" in root.text()
    else:
        assert root.find("h1").text() == "09KYIV123"
        assert headings == ["Text", "Cases", "Relations", "Entities"]
        marks = root.find("pre", "cable").find_all("mark", "ent")
        assert [m.text() for m in marks] == [e[1] for e in DOCS[0]["entities"]]
        assert marks[0].attrs["title"] == "RECRUITER 0.91"
        assert SCRIPT in root.find("pre", "cable").text()  # shown as text, not run
    shot = tmp_path / "shot.png"
    run_chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,2000", "--hide-scrollbars", url)
    assert shot.is_file() and shot.stat().st_size > 20_000
    assert png_size(shot) == (1280, 2000)


def test_chromium_reads_route_svg(report, tmp_path):
    """Chromium parses routes.svg as an SVG document (a malformed one renders a parser error)."""
    out = run_chromium(tmp_path, "--dump-dom", (report / "routes.svg").resolve().as_uri()).stdout
    assert "<svg" in out and "parsererror" not in out and "data-from=\"Moldova\"" in out
