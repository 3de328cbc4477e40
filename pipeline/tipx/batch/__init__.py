"""Batch runs over a corpus: ``tipx run`` (inputs, engines, the SQLite store and output files)."""
