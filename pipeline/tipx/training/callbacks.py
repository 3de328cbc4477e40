"""Training callbacks named in the configs."""
from __future__ import annotations

from collections.abc import Callable

from spacy.language import Language
from spacy.tokens import DocBin
from spacy.training import Example
from spacy.util import registry


@registry.callbacks("tipx.calibrate.v1")
def make_calibrate(dev_path: str, component: str = "tipx_entities") -> Callable[[Language], Language]:
    """Before each save, fit the entity confidence model on the dev set's predictions.

    The scores a user sees are then calibrated probabilities that an entity is right, measured on
    reports the NER was not trained on.
    """
    def before_to_disk(nlp: Language) -> Language:
        if component not in nlp.pipe_names:
            return nlp
        refs = list(DocBin().from_disk(dev_path).get_docs(nlp.vocab))
        preds = nlp.pipe((nlp.make_doc(r.text) for r in refs), batch_size=16)
        nlp.get_pipe(component).calibrate(Example(p, r) for p, r in zip(preds, refs))
        return nlp
    return before_to_disk
