"""Bad input: each file gets a parse or a one-line error naming the problem."""
from __future__ import annotations

import pytest

from tipx.cables import CableReadError, read_cable
from tipx.cables.decode import decode_bytes

BODY = "UNCLAS MANAGUA 000101\n\nTAGS: KTIP NU\nSUBJECT: NICARAGUA: SHORT NOTE\n\n1. (U) The ministry's caf\u00e9 owner paid 500 c\u00f3rdobas.\n"


def test_empty_and_whitespace_files_are_errors():
    with pytest.raises(CableReadError, match="empty file"):
        read_cable(b"")
    with pytest.raises(CableReadError, match="only whitespace"):
        read_cable(b" \n\t\n")


def test_binary_file_is_an_error():
    with pytest.raises(CableReadError, match="binary"):
        read_cable(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    with pytest.raises(CableReadError, match="binary"):
        read_cable(bytes(range(1, 32)) * 200)


def test_cp1252_and_latin1_are_read():
    data = BODY.replace("1. (U)", "1. (U) \u201cQuoted\u201d").encode("cp1252")
    c = read_cable(data, source="cp.txt")
    assert c.encoding == "cp1252"
    assert "\u201cQuoted\u201d" in c.paragraphs[0].text and "caf\u00e9" in c.paragraphs[0].text
    latin = BODY.encode("latin-1") + b"\x81"  # 0x81 is undefined in cp1252
    c2 = read_cable(latin, source="l1.txt")
    assert c2.encoding == "latin-1"
    assert "c\u00f3rdobas" in c2.body.text


def test_utf8_bom_is_dropped():
    d = decode_bytes(b"\xef\xbb\xbf" + BODY.encode())
    assert d.text == BODY and d.encoding == "utf-8"


def test_file_with_header_only_is_an_error():
    with pytest.raises(CableReadError, match="no text found"):
        read_cable(b"UNCLAS MANAGUA 000101\n\nTAGS: KTIP NU\nSUBJECT: NICARAGUA: NOTHING ELSE\n")
