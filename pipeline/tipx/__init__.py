"""tipx: information extraction from trafficking-in-persons cables."""

__version__ = "0.1.0"
