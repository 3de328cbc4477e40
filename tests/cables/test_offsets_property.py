"""Property: whatever noise a report carries, the offset map points back to the same characters."""
from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tipx.cables import read_cable

WORDS = st.sampled_from(
    "the ministry police recruiter women workers border passport brothel court years prison "
    "fine $400 2,000 tenge Article 128 of the Criminal Code Dubai Almaty Kazakhstan (SBU) "
    "caf\u00e9 na\u00efve \u00a7 \\$ [KTIP](#) ¶ -- \"quoted\" O'Hara".split()
)
SPACES = st.sampled_from([" ", " ", " ", "  ", "\n", "\n\n", " \n", "\t", "\r\n"])
NUMBERS = st.sampled_from(["1.", "T2 .", "1[3 .", "%24 .", "¶5.", "- 16.", "11.2  0.", "8."])


@st.composite
def reports(draw):
    parts = []
    if draw(st.booleans()):
        parts.append("R 241243Z OCT 08\nFM AMEMBASSY ASTANA\nUNCLAS ASTANA 000123\n\nTAGS: KTIP KZ\nSUBJECT: TEST\n\n")
    for _ in range(draw(st.integers(1, 6))):
        if draw(st.booleans()):
            parts.append(draw(NUMBERS) + " ")
        for _ in range(draw(st.integers(1, 25))):
            parts.append(draw(WORDS) + draw(SPACES))
        if draw(st.integers(0, 4)) == 0:
            parts.append("\nASTANA 00000123 002 OF 003\n")
        parts.append("\n\n")
    return "".join(parts)


def _norm(s: str) -> str:
    return re.sub(r"\s+", "", s)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reports(), st.data())
def test_every_clean_span_maps_to_the_same_characters(text, data):
    try:
        cable = read_cable(text.encode("utf-8"), source="p.txt")
    except Exception as err:  # only the documented error is allowed
        assert type(err).__name__ == "CableReadError"
        return
    body = cable.body.text
    assert len(cable.body.offsets) == len(body) + 1
    # every non-space character of the clean text is the raw character it maps to (or its
    # markdown-escaped form)
    for i, ch in enumerate(body):
        raw_ch = cable.raw[cable.body.offsets[i]]
        if not ch.isspace():
            assert raw_ch == ch or (raw_ch == "\\" and cable.raw[cable.body.offsets[i] + 1] == ch), (i, ch, raw_ch)
    # any span of the clean text maps to a raw stretch made of the same characters
    if body:
        start = data.draw(st.integers(0, len(body) - 1))
        end = data.draw(st.integers(start + 1, len(body)))
        rs, re_ = cable.raw_span(start, end)
        raw = _norm(cable.raw[rs:re_])
        clean = _norm(body[start:end])
        # the raw stretch holds the clean characters in order (it may hold more: paragraph
        # numbers, markings, page-break lines, markup), starting and ending with the same ones
        it = iter(raw)
        assert all(ch in it for ch in clean), (clean, raw)
        if clean and not body[start].isspace() and not body[end - 1].isspace():
            assert raw[0] == clean[0] or raw[0] == "\\" and raw[1] == clean[0]
            assert raw[-1] == clean[-1]
