"""The model card: what a shipped pipeline was trained on and how it scores on the gold set."""
from __future__ import annotations

import json
from pathlib import Path

from .evaluate import Scores, markdown_table


def write_model_card(model_dir: Path, results: dict[str, Scores], info: dict, command: str) -> Path:
    meta_path = model_dir / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    main = next(iter(results))
    sc = results[main]
    meta["tipx_gold"] = {
        "command": command, "gold": info["gold"], "documents": info["documents"],
        "ents_strict_micro_f": round(sc.strict["micro"].fscore, 4),
        "ents_overlap_micro_f": round(sc.overlap["micro"].fscore, 4),
        "rel_micro_f": round(sc.relations["micro"].fscore, 4),
        "ents_strict_per_type": {k: round(v.fscore, 4) for k, v in sc.strict.items() if k != "micro"},
    }
    meta_path.write_text(json.dumps(meta, indent=2), encoding="utf-8")
    sources = "\n".join(f"- {s.get('name')}: `{s.get('url')}` (sha256 `{s.get('sha256')}`), config `{s.get('config')}`"
                        for s in meta.get("sources", [])) or "- (not recorded)"
    card = model_dir / "README.md"
    card.write_text(
        f"# {meta.get('name', 'tipx')} {meta.get('version', '')}\n\n"
        f"{meta.get('description', '')}\n\n"
        f"Pipeline: {', '.join(meta.get('pipeline', []))}\n\n"
        f"## Training data\n\n{sources}\n\nThe gold set (`annotations/gold/`, the five seed cables) was never trained on.\n\n"
        f"## Scores on the gold set\n\nCommand: `{command}`\n\n"
        f"{markdown_table(results, info.get('covered'))}\n", encoding="utf-8")
    return card
