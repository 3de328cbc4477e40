"""Build the static report of a ``tipx run`` folder: ``report/index.html`` (the corpus), one page per
cable under ``report/docs/``, and ``report/routes.svg`` (the route graph).

Only ``DIR/tipx.sqlite`` is read. Every piece of cable data (text, entity texts, subjects, labels,
case fields) is HTML-escaped; the pages carry no script and load nothing from the network, so the
report opens from disk, offline.
"""
from __future__ import annotations

import hashlib
import re
import sqlite3
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .pages import (
    bar, esc, fmt_decimal, fmt_score, json_list, label_class, label_order, legend, page,
    plain_decimal, table, to_decimal,
)
from .routes_svg import render_routes_svg
from .store import ReportError, document_index, iter_documents, open_run

REPORT_DIR = "report"
TOP_N = 25
_PAGE_NAME = re.compile(r"[0-9a-f]{16,64}\.html")
_ISO = re.compile(r"[A-Z]{3}")


# ---------------------------------------------------------------------------------------------
# normalisation of names, places, statutes for the corpus counts


_EDGE_PUNCT = " .,;:!?'\"`()[]{}\u00ab\u00bb\u201c\u201d\u2018\u2019-\u2013\u2014"


def norm_form(text: object) -> str:
    """Display form: NFKC, whitespace collapsed, trailing sentence punctuation dropped (case kept)."""
    t = unicodedata.normalize("NFKC", str(text or ""))
    return " ".join(t.split()).rstrip(" .,;:")


def norm_key(text: object) -> str:
    """Grouping key: the display form case-folded, surrounding quotes, brackets and punctuation dropped."""
    return norm_form(text).strip(_EDGE_PUNCT).casefold()


class Tally:
    """Mentions and documents per normalised text, shown by its most frequent surface form."""

    def __init__(self) -> None:
        self.forms: dict[str, Counter] = defaultdict(Counter)
        self.mentions: Counter = Counter()
        self.docs: Counter = Counter()

    def add_doc(self, texts: list[object]) -> None:
        seen = set()
        for text in texts:
            key = norm_key(text)
            if not key:
                continue
            self.forms[key][norm_form(text)] += 1
            self.mentions[key] += 1
            seen.add(key)
        for key in seen:
            self.docs[key] += 1

    def display(self, key: str) -> str:
        """The most frequent form; on a tie, one not in capitals, then the first alphabetically."""
        forms = self.forms.get(key)
        if not forms:
            return key
        return min(forms, key=lambda f: (-forms[f], f.isupper(), f))

    def top(self, n: int) -> list[tuple[str, int, int]]:
        keys = sorted(self.mentions, key=lambda k: (-self.docs[k], -self.mentions[k], k))[:n]
        return [(self.display(k), self.mentions[k], self.docs[k]) for k in keys]


@dataclass
class CurrencyTotal:
    count: int = 0
    valued: int = 0
    total: Decimal = Decimal(0)
    ranges: int = 0
    low: Decimal = Decimal(0)
    high: Decimal = Decimal(0)
    unparsed: int = 0


@dataclass
class DocSummary:
    doc_key: str
    name: str
    id: str
    date: str
    origin: str
    subject: str
    classification: str
    source: str
    n_entities: int
    n_relations: int
    n_cases: int


@dataclass
class Corpus:
    docs: list[DocSummary] = field(default_factory=list)
    labels: Counter = field(default_factory=Counter)
    label_docs: Counter = field(default_factory=Counter)
    relation_types: Counter = field(default_factory=Counter)
    n_cases: int = 0
    perpetrators: Tally = field(default_factory=Tally)
    recruiters: Tally = field(default_factory=Tally)
    statutes: Tally = field(default_factory=Tally)
    places: Tally = field(default_factory=Tally)
    routes: Counter = field(default_factory=Counter)       # (origin key | None, destination key | None) -> case routes
    route_docs: Counter = field(default_factory=Counter)
    currencies: dict[str, CurrencyTotal] = field(default_factory=lambda: defaultdict(CurrencyTotal))
    unknown_currency: list[tuple[str, str, str]] = field(default_factory=list)  # (amount text, value, doc name)

    def add(self, summary: DocSummary, entities: list[sqlite3.Row], relations: list[sqlite3.Row], cases: list[dict]) -> None:
        self.docs.append(summary)
        labels = Counter(e["label"] for e in entities)
        self.labels.update(labels)
        self.label_docs.update(labels.keys())
        self.relation_types.update(r["type"] for r in relations)
        self.n_cases += len(cases)
        self.perpetrators.add_doc([e["text"] for e in entities if e["label"] == "PERPETRATOR"])
        self.recruiters.add_doc([e["text"] for e in entities if e["label"] == "RECRUITER"])
        self.statutes.add_doc([e["text"] for e in entities if e["label"] == "STATUTE"])
        doc_routes = set()
        for case in cases:
            for route in case["routes"]:
                if not isinstance(route, dict):
                    continue
                ends = []
                for end in (route.get("from"), route.get("to")):
                    key = norm_key(end) if end is not None else ""
                    if key:
                        self.places.add_doc([end])
                    ends.append(key or None)
                if ends != [None, None]:
                    self.routes[tuple(ends)] += 1
                    doc_routes.add(tuple(ends))
            for amount in case["amounts"]:
                self._add_amount(amount, summary.name)
        self.route_docs.update(doc_routes)

    def _add_amount(self, amount: object, doc_name: str) -> None:
        if not isinstance(amount, dict):
            amount = {"text": amount}
        code = str(amount.get("currency") or "").strip().upper()
        value, lo, hi = (to_decimal(amount.get(k)) for k in ("value", "min", "max"))
        if not _ISO.fullmatch(code):
            shown = fmt_decimal(value) if value is not None else (
                f"{fmt_decimal(lo)}\u2013{fmt_decimal(hi)}" if lo is not None and hi is not None else "")
            self.unknown_currency.append((str(amount.get("text") or ""), shown, doc_name))
            return
        tot = self.currencies[code]
        tot.count += 1
        if value is not None:
            tot.valued += 1
            tot.total += value
        elif lo is not None or hi is not None:
            tot.ranges += 1
            tot.low += lo if lo is not None else hi
            tot.high += hi if hi is not None else lo
        else:
            tot.unparsed += 1


# ---------------------------------------------------------------------------------------------
# one cable's page


def page_names(rows: list[sqlite3.Row]) -> dict[str, str]:
    """doc_key -> page file name: the key's first 16 hex digits (a sha256 of the key when it is not
    hex), longer when two keys share a prefix."""
    names: dict[str, str] = {}
    used: set[str] = set()
    for row in rows:
        key = str(row["doc_key"])
        hexkey = key.lower() if re.fullmatch(r"[0-9a-fA-F]{16,}", key) else hashlib.sha256(key.encode()).hexdigest()
        n = 16
        while hexkey[:n] in used and n < len(hexkey):
            n += 4
        if hexkey[:n] in used:  # same hex key twice (e.g. upper and lower case): hash the exact key
            hexkey, n = hashlib.sha256(("tipx:" + key).encode()).hexdigest(), 16
        used.add(hexkey[:n])
        names[key] = hexkey[:n] + ".html"
    return names


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def render_text(text: str, entities: list[sqlite3.Row], paragraphs: list[sqlite3.Row]) -> tuple[str, dict[int, str]]:
    """The cable text as HTML with entity marks and paragraph anchors; and, for each entity row
    index that is not highlighted, why."""
    n = len(text)
    skipped: dict[int, str] = {}
    spans = []
    for i, e in enumerate(entities):
        s, t = e["start_offset"], e["end_offset"]
        if not isinstance(s, int) or not isinstance(t, int) or not 0 <= s < t <= n:
            skipped[i] = "offsets outside the text"
            continue
        spans.append((s, t, i))
    spans.sort(key=lambda x: (x[0], -x[1], x[2]))
    kept = []
    end = -1
    for s, t, i in spans:
        if s < end:
            skipped[i] = f"overlaps entity {entities[kept[-1][2]]['entity_id']}"
            continue
        kept.append((s, t, i))
        end = t
    anchors: dict[int, list[str]] = defaultdict(list)
    seen_para = set()
    for p in paragraphs:
        num, start = p["number"], p["start"]
        if num is None or num in seen_para or not isinstance(start, int) or not 0 <= start <= n:
            continue
        seen_para.add(num)
        anchors[start].append(f'<a id="p{esc(num)}" class="para"></a>')
    seen_ids = set()
    opens: dict[int, str] = {}
    closes: dict[int, int] = Counter()
    for s, t, i in kept:
        e = entities[i]
        label = str(e["label"])
        title = f"{label} {fmt_score(e['score'])}".strip()
        eid = e["entity_id"]
        id_attr = f' id="e{esc(eid)}"' if eid is not None and eid not in seen_ids else ""
        seen_ids.add(eid)
        opens[s] = f'<mark class="ent {label_class(label)}"{id_attr} data-label="{esc(label)}" title="{esc(title)}">'
        closes[t] += 1
    cuts = sorted({0, n, *opens, *closes, *anchors})
    out = []
    for a, b in zip(cuts, cuts[1:] + [None]):
        out.append("</mark>" * closes.get(a, 0))
        out.extend(anchors.get(a, ()))
        out.append(opens.get(a, ""))
        if b is not None:
            out.append(esc(text[a:b]))
    return "".join(out), skipped


def _items(values: list, raw: str | None, fmt=lambda v: esc(v)) -> str:
    if raw is not None:
        return f'<span class="muted">{esc(raw)}</span>'
    return "<br>".join(fmt(v) for v in values)


def _route(r: object) -> str:
    if not isinstance(r, dict):
        return esc(r)
    a, b = r.get("from"), r.get("to")
    return f"{esc(a) if a is not None else '<i>?</i>'} \u2192 {esc(b) if b is not None else '<i>?</i>'}"


def _amount(a: object) -> str:
    if not isinstance(a, dict):
        return esc(a)
    value, lo, hi = (to_decimal(a.get(k)) for k in ("value", "min", "max"))
    cur = esc(a.get("currency") or "?")
    if value is not None:
        norm = f"{fmt_decimal(value)} {cur}"
    elif lo is not None and hi is not None:
        norm = f"{fmt_decimal(lo)}\u2013{fmt_decimal(hi)} {cur}"
    else:
        norm = ""
    return esc(a.get("text")) + (f' <span class="muted">({norm})</span>' if norm else "")


def _sentence(s: object) -> str:
    if not isinstance(s, dict):
        return esc(s)
    bits = []
    lo, hi = to_decimal(s.get("min_years")), to_decimal(s.get("max_years"))
    if lo is not None:
        bits.append(f"{fmt_decimal(lo)} y" if hi is None or hi == lo else f"{fmt_decimal(lo)}\u2013{fmt_decimal(hi)} y")
    if s.get("life"):
        bits.append("life")
    if s.get("kind"):
        bits.append(esc(s["kind"]))
    if s.get("suspended"):
        bits.append("suspended")
    return esc(s.get("text")) + (f' <span class="muted">({", ".join(bits)})</span>' if bits else "")


CASE_LISTS = ("recruiters", "perpetrators", "victims", "origins", "destinations", "routes", "amounts", "statutes", "sentences", "paragraphs")


def parse_case(row: sqlite3.Row) -> dict:
    case: dict = {"case_id": row["case_id"], "raw": {}}
    for col in CASE_LISTS:
        case[col], case["raw"][col] = json_list(row[col])
    return case


def doc_page(doc: sqlite3.Row, paragraphs, entities, relations, cases: list[dict]) -> str:
    """One cable's page: header fields, the text with entities highlighted, cases, relations, entities."""
    text = doc["text"] if isinstance(doc["text"], str) else ("" if doc["text"] is None else str(doc["text"]))
    body_html, skipped = render_text(text, entities, paragraphs)
    by_id = {}
    for e in entities:
        by_id.setdefault(e["entity_id"], e)
    title_id = doc["id"] or doc["source"] or doc["doc_key"][:16]
    subject = doc["subject"] or ""
    parts = [
        '<nav class="top"><a href="../index.html">\u2190 Report index</a></nav>',
        f"<h1>{esc(title_id)}</h1>",
        f'<p class="subject">{esc(subject)}</p>' if subject else "",
        '<dl class="meta">',
    ]
    for label, key in (("Date", "date"), ("Origin", "origin"), ("Classification", "classification"),
                       ("Tags", "tags"), ("Source", "source"), ("Path", "path"), ("doc_key", "doc_key")):
        value = doc[key]
        if key == "tags":
            tags, raw = json_list(value)  # a JSON array, or the text as stored
            value = ", ".join(map(str, tags)) if raw is None else raw
        if value not in (None, ""):
            parts.append(f"<dt>{label}</dt><dd>{esc(value)}</dd>")
    parts.append(f"<dt>Extracted</dt><dd>{plural(len(entities), 'entity', 'entities')}, "
                 f"{plural(len(relations), 'relation')}, {plural(len(cases), 'case')}</dd>")
    parts.append("</dl>")

    parts.append('<h2 id="text">Text</h2>')
    parts.append(legend(Counter(str(e["label"]) for e in entities)) if entities else '<p class="muted">No entities found.</p>')
    if skipped:
        parts.append(f'<p class="note">{len(skipped)} entit{"y is" if len(skipped) == 1 else "ies are"} not highlighted '
                     '(see the entity table).</p>')
    # the newline after <pre> is eaten by the HTML parser, so a text that starts with one keeps it
    parts.append(f'<pre class="cable">\n{body_html}</pre>')

    parts.append('<h2 id="cases">Cases</h2>')
    para_link = lambda p: f'<a href="#p{esc(p)}">{esc(p)}</a>'  # noqa: E731
    parts.append(table(
        ["Case", "Recruiters", "Perpetrators", "Victims", "Routes", "Amounts", "Statutes", "Sentences", "Paragraphs"],
        ([esc(c["case_id"]),
          _items(c["recruiters"], c["raw"]["recruiters"]),
          _items(c["perpetrators"], c["raw"]["perpetrators"]),
          _items(c["victims"], c["raw"]["victims"]),
          _items(c["routes"], c["raw"]["routes"], _route),
          _items(c["amounts"], c["raw"]["amounts"], _amount),
          _items(c["statutes"], c["raw"]["statutes"]),
          _items(c["sentences"], c["raw"]["sentences"], _sentence),
          _items(c["paragraphs"], c["raw"]["paragraphs"], para_link).replace("<br>", ", ")]
         for c in cases),
        cls="cases", empty="No cases in this cable."))

    def end(eid) -> str:
        e = by_id.get(eid)
        if e is None:
            return f'<span class="muted">entity {esc(eid)} (missing)</span>'
        return (f'<span class="chip {label_class(e["label"])}">{esc(e["label"])}</span> '
                f'<a href="#e{esc(eid)}">{esc(e["text"])}</a>')

    parts.append('<h2 id="relations">Relations</h2>')
    parts.append(table(
        ["#", "Head", "Type", "Tail", "Score"],
        ([esc(r["relation_id"]), end(r["from_id"]), f"<b>{esc(r['type'])}</b>", end(r["to_id"]), fmt_score(r["score"])]
         for r in relations),
        numeric=(0, 4), cls="relations", empty="No relations in this cable."))

    parts.append('<h2 id="entities">Entities</h2>')
    rows = []
    for i, e in enumerate(entities):
        note = skipped.get(i, "")
        s, t = e["start_offset"], e["end_offset"]
        if (not note and isinstance(s, int) and isinstance(t, int) and e["text"] is not None
                and text[s:t].split() != str(e["text"]).split()):  # line breaks in the raw span are fine
            note = "the text at these offsets differs"
        para = e["paragraph"]
        rows.append([esc(e["entity_id"]), f'<span class="chip {label_class(e["label"])}">{esc(e["label"])}</span>',
                     esc(e["text"]), f"{esc(s)}\u2013{esc(t)}", fmt_score(e["score"]),
                     para_link(para) if para is not None else "", esc(note)])
    parts.append(table(["#", "Label", "Text", "Offsets", "Score", "Paragraph", "Note"], rows,
                       numeric=(0, 3, 4, 5), cls="entities", empty="No entities in this cable."))
    return page(f"{title_id} \u2014 {subject}" if subject else str(title_id), "\n".join(p for p in parts if p))


# ---------------------------------------------------------------------------------------------
# the corpus page


def index_page(run_name: str, corpus: Corpus) -> str:
    c = corpus
    n_ent = sum(c.labels.values())
    n_rel = sum(c.relation_types.values())
    parts = [
        "<h1>tipx report</h1>",
        f'<p class="muted">Run folder <code>{esc(run_name)}</code> \u00b7 {len(c.docs)} documents \u00b7 '
        f"{n_ent} entities \u00b7 {n_rel} relations \u00b7 {c.n_cases} cases</p>",
        '<nav class="toc">Contents: <a href="#documents">Documents</a> \u00b7 <a href="#labels">Counts by label</a> \u00b7 '
        '<a href="#routes">Routes</a> \u00b7 <a href="#parties">Perpetrators and recruiters</a> \u00b7 '
        '<a href="#statutes">Statutes</a> \u00b7 <a href="#amounts">Amounts by currency</a></nav>',
    ]

    parts.append('<h2 id="documents">Documents</h2>')
    docs = sorted(c.docs, key=lambda d: (d.date or "\uffff", d.id or "", d.doc_key))
    parts.append(table(
        ["Document", "Date", "Origin", "Subject", "Entities", "Relations", "Cases"],
        ([f'<a href="docs/{esc(d.name)}">{esc(d.id or d.source or d.doc_key[:16])}</a>', esc(d.date), esc(d.origin),
          esc(d.subject), str(d.n_entities), str(d.n_relations), str(d.n_cases)] for d in docs),
        numeric=(4, 5, 6), cls="documents", empty="No documents in this run."))

    parts.append('<h2 id="labels">Counts by label</h2><div class="cols"><section>')
    peak = max(c.labels.values(), default=0)
    parts.append(table(
        ["Label", "Mentions", "Documents", ""],
        ([f'<mark class="key {label_class(l)}">{esc(l)}</mark>', str(c.labels[l]), str(c.label_docs[l]), bar(c.labels[l], peak)]
         for l in label_order(c.labels)),
        numeric=(1, 2), cls="labels", empty="No entities."))
    parts.append("</section><section>")
    peak = max(c.relation_types.values(), default=0)
    parts.append(table(
        ["Relation type", "Relations", ""],
        ([esc(t), str(n), bar(n, peak)] for t, n in sorted(c.relation_types.items(), key=lambda kv: (-kv[1], str(kv[0])))),
        numeric=(1,), cls="relation-types", empty="No relations."))
    parts.append("</section></div>")

    parts.append('<h2 id="routes">Routes: origin \u2192 destination</h2>')
    origins = {o for o, _ in c.routes if o is not None}
    dests = {d for _, d in c.routes if d is not None}
    alt = (f"Route graph: {len(c.routes)} origin-to-destination pairs from {len(origins)} origins to {len(dests)} destinations"
           if c.routes else "Route graph: no routes found")
    parts.append(f'<p><img class="routes" src="routes.svg" alt="{esc(alt)}"></p>')

    def place(k):
        return "<i>unknown</i>" if k is None else esc(c.places.display(k))

    ranked = sorted(c.routes, key=lambda k: (-c.routes[k], -c.route_docs[k], str(k)))
    parts.append(table(
        ["Origin", "Destination", "Case routes", "Documents"],
        ([place(o), place(d), str(c.routes[(o, d)]), str(c.route_docs[(o, d)])] for o, d in ranked[:TOP_N]),
        numeric=(2, 3), cls="routes", empty="No routes found."))
    if len(ranked) > TOP_N:
        parts.append(f'<p class="muted">{len(ranked) - TOP_N} more pairs in the graph.</p>')

    parts.append('<h2 id="parties">Top perpetrators and recruiters</h2>'
                 '<p class="muted">Entity mentions grouped by normalised text (case, spacing and surrounding '
                 "punctuation ignored), ranked by the number of documents.</p>")
    parts.append('<div class="cols">')
    for title, tally, cls in (("Perpetrators", c.perpetrators, "perpetrators"), ("Recruiters", c.recruiters, "recruiters")):
        parts.append(f"<section><h3>{title}</h3>")
        parts.append(table(["Name", "Mentions", "Documents"],
                           ([esc(name), str(m), str(d)] for name, m, d in tally.top(TOP_N)),
                           numeric=(1, 2), cls=cls, empty=f"No {title.lower()} found."))
        parts.append("</section>")
    parts.append("</div>")

    parts.append('<h2 id="statutes">Statutes</h2>')
    parts.append(table(["Statute", "Mentions", "Documents"],
                       ([esc(name), str(m), str(d)] for name, m, d in c.statutes.top(TOP_N * 2)),
                       numeric=(1, 2), cls="statutes", empty="No statutes found."))

    parts.append('<h2 id="amounts">Amounts by currency</h2>'
                 '<p class="muted">Amounts of the case records, by ISO 4217 code. <i>Sum</i> adds the amounts with one '
                 "value; amounts given as a range are added up separately (low\u2013high).</p>")
    rows = []
    for code in sorted(c.currencies, key=lambda k: (-c.currencies[k].count, k)):
        t = c.currencies[code]
        rng = f"{t.ranges}: {fmt_decimal(t.low)}\u2013{fmt_decimal(t.high)}" if t.ranges else ""
        rows.append([f"<b>{esc(code)}</b>", str(t.count),
                     f'<span class="sum" data-currency="{esc(code)}" data-value="{plain_decimal(t.total)}">{fmt_decimal(t.total)}</span>',
                     str(t.valued), rng, str(t.unparsed) if t.unparsed else ""])
    parts.append(table(["Currency", "Amounts", "Sum", "With a value", "Ranges", "No number"], rows,
                       numeric=(1, 2, 3, 4, 5), cls="currencies", empty="No amounts with a known currency."))
    parts.append(f'<h3 id="unknown-currency">Unknown currency ({len(c.unknown_currency)})</h3>')
    parts.append(table(["Amount", "Value", "Document"],
                       ([esc(text), value, f'<a href="docs/{esc(name)}">{esc(name[:-5])}</a>']
                        for text, value, name in c.unknown_currency[:TOP_N * 2]),
                       numeric=(1,), cls="unknown-currency", empty="None."))
    parts.append('<p class="muted">Generated by <code>tipx report</code> from <code>tipx.sqlite</code>.</p>')
    return page("tipx report", "\n".join(parts))


# ---------------------------------------------------------------------------------------------


def build_report(run_dir: Path, out: Path | None = None) -> Path:
    """Write the report of a ``tipx run`` folder to ``out`` (default ``run_dir/report``) and return
    the path of its ``index.html``. Raises :class:`ReportError` for a folder it cannot read."""
    run_dir = Path(run_dir)
    con = open_run(run_dir)
    out = Path(out) if out is not None else run_dir / REPORT_DIR
    try:
        if out.exists() and not out.is_dir():
            raise ReportError(f"cannot write the report: {out} is a file")
        docs_dir = out / "docs"
        docs_dir.mkdir(parents=True, exist_ok=True)
        names = page_names(document_index(con))
        corpus = Corpus()
        written = set()
        for doc, rows in iter_documents(con):
            key = str(doc["doc_key"])
            name = names.get(key) or page_names([doc])[key]
            cases = [parse_case(r) for r in rows["cases"]]
            html_text = doc_page(doc, rows["paragraphs"], rows["entities"], rows["relations"], cases)
            (docs_dir / name).write_text(html_text, encoding="utf-8")
            written.add(name)
            corpus.add(
                DocSummary(key, name, str(doc["id"] or ""), str(doc["date"] or ""), str(doc["origin"] or ""),
                           str(doc["subject"] or ""), str(doc["classification"] or ""), str(doc["source"] or ""),
                           len(rows["entities"]), len(rows["relations"]), len(cases)),
                rows["entities"], rows["relations"], cases)
    except sqlite3.DatabaseError as err:
        raise ReportError(f"cannot read {run_dir / 'tipx.sqlite'}: {err}") from None
    except OSError as err:
        raise ReportError(f"cannot write the report to {out}: {err}") from None
    finally:
        con.close()
    # pages of documents no longer in the run (only files named like the report's own pages)
    for stale in docs_dir.iterdir():
        if _PAGE_NAME.fullmatch(stale.name) and stale.name not in written and stale.is_file():
            stale.unlink(missing_ok=True)
    edges = {(None if o is None else corpus.places.display(o), None if d is None else corpus.places.display(d)): n
             for (o, d), n in corpus.routes.items()}
    index = out / "index.html"
    try:
        (out / "routes.svg").write_text(render_routes_svg(edges), encoding="utf-8")
        index.write_text(index_page(run_dir.resolve().name, corpus), encoding="utf-8")
    except OSError as err:
        raise ReportError(f"cannot write the report to {out}: {err}") from None
    return index
