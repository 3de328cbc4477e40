"""From a file's bytes to text, or a one-line reason why not.

Offsets everywhere in tipx are character offsets into the text returned here ("the raw file's
text as decoded"). UTF-8 is tried first (a UTF-8 BOM is dropped, offsets then count from the
character after it); files that are not valid UTF-8 are read as Windows-1252, and bytes that
cp1252 leaves undefined fall back to Latin-1, which never fails.
"""
from __future__ import annotations

from dataclasses import dataclass


class CableReadError(ValueError):
    """A file tipx cannot read as a report. The message is one line a person can act on."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str


#: Share of control characters (other than tab, CR, LF, FF) above which a file is called binary.
BINARY_CONTROL_SHARE = 0.05


def decode_bytes(data: bytes) -> Decoded:
    """Decode a report's bytes; raise :class:`CableReadError` for empty or binary input."""
    if not data.strip():
        raise CableReadError("empty file: nothing to read" if not data else "file holds only whitespace")
    head = data[:65536]
    if b"\x00" in head:
        raise CableReadError("binary file (NUL bytes): not a text report; convert it to text first")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        try:
            text, encoding = data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            text, encoding = data.decode("latin-1"), "latin-1"
    sample = text[:65536]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n\f")
    if controls > BINARY_CONTROL_SHARE * len(sample):
        raise CableReadError(f"binary file ({controls} control characters in the first {len(sample)}): not a text report")
    return Decoded(text=text, encoding=encoding)
