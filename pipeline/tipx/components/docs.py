"""Helpers over Docs that the tipx components share: paragraphs, sentences, partial annotation."""
from __future__ import annotations

from collections.abc import Iterable

from spacy.language import Language
from spacy.tokens import Doc, Span


def paragraph_ids(doc: Doc) -> list[int]:
    """Paragraph number of each token: a whitespace token holding a blank line starts a new one."""
    out, para = [], 0
    for t in doc:
        out.append(para)
        if t.is_space and t.text.count("\n") >= 2 or t.whitespace_ == "" and "\n\n" in t.text:
            para += 1
    return out


def sentence_of(doc: Doc, span: Span) -> Span:
    """The span's sentence: the parser's or sentencizer's, else the stretch between full stops."""
    if doc.has_annotation("SENT_START"):
        return span.sent
    start, end = span.start, span.end
    while start > 0 and doc[start - 1].text not in (".", "!", "?") and "\n\n" not in doc[start - 1].text:
        start -= 1
    while end < len(doc) and doc[end - 1].text not in (".", "!", "?") and "\n\n" not in doc[end].text:
        end += 1
    return doc[start:end]


def annotate_before(nlp: Language, text: str, stop: Iterable[str], skip: Iterable[str] = ()) -> Doc:
    """``text`` run through the pipeline's components up to the first named in ``stop`` (or whose
    name starts with ``tipx_``), leaving out those named in ``skip`` and any that cannot run yet:
    the annotation a trained component's features read, built for a gold reference text."""
    stop, skip = set(stop), tuple(skip)
    doc = nlp.make_doc(text)
    for name, proc in nlp.pipeline:
        if name in stop or name.startswith("tipx_"):
            break
        if skip and name.startswith(skip):
            continue
        try:
            doc = proc(doc)
        except Exception:  # an untrained component: leave its annotation out
            pass
    return doc
