"""Reading cables: decode, header fields, numbered paragraphs, offsets back to the raw file."""
from .decode import CableReadError
from .reader import Cable, read_cable, read_cable_file

__all__ = ["Cable", "CableReadError", "read_cable", "read_cable_file"]
