"""Paths the tests share; importable as ``support`` (pytest puts tests/ on the path)."""
from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"
HOLDOUT = SHARED / "holdout"

needs_seeds = pytest.mark.skipif(
    not (SEEDS / "INDEX.tsv").is_file(),
    reason=f"the seed cables are not beside the repo ({SEEDS} missing); they come with ../shared",
)
needs_holdout = pytest.mark.skipif(
    not (HOLDOUT / "INDEX.tsv").is_file(),
    reason=f"the holdout cables are not beside the repo ({HOLDOUT} missing); they come with ../shared",
)
