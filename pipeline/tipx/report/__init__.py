"""``tipx report``: a static HTML report of a ``tipx run`` folder (its ``tipx.sqlite``).

``build_report(run_dir)`` writes ``run_dir/report/index.html`` (the corpus: documents, counts by
label, the route graph ``routes.svg``, top perpetrators and recruiters, statutes, amounts by
currency) and one page per cable under ``report/docs/`` with its text, entities highlighted,
relations and cases. Standard library only.
"""
from __future__ import annotations

from .build import build_report
from .store import ReportError

__all__ = ["ReportError", "build_report"]
