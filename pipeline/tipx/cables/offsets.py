"""Text that remembers where each of its characters came from in the raw file.

Every transformation the reader makes (dropping HTML tags, removing page-break lines, collapsing
doubled spaces, joining a paragraph cut by a page break) goes through :class:`Builder`, which
records for each output character the raw offset it was taken from. A span ``[start, end)`` of the
result maps back with :meth:`MappedText.raw_span`: the first character's raw offset to one past
the last character's, so a clean span always covers exactly the raw characters it was made from
(plus whatever was dropped between them, e.g. a page-break line inside the span).
"""
from __future__ import annotations

import bisect
from array import array
from dataclasses import dataclass


@dataclass
class MappedText:
    """``text`` plus ``offsets``: ``offsets[i]`` is the raw offset of ``text[i]``.

    ``offsets`` has one extra entry at the end: the raw offset just past the text, so that an
    empty span at the end maps somewhere sensible.
    """

    text: str
    offsets: array

    @classmethod
    def identity(cls, text: str) -> "MappedText":
        return cls(text, array("q", range(len(text) + 1)))

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Raw ``(start, end)`` of the clean span ``text[start:end]`` (end exclusive)."""
        if not 0 <= start <= end <= len(self.text):
            raise IndexError(f"span ({start}, {end}) outside text of length {len(self.text)}")
        if start == end:
            pos = self.offsets[start]
            return pos, pos
        return self.offsets[start], self.offsets[end - 1] + 1

    def clean_span(self, raw_start: int, raw_end: int) -> tuple[int, int]:
        """Clean ``(start, end)`` covering the raw span ``[raw_start, raw_end)``; empty when the raw
        span holds no character kept in the clean text. ``offsets`` never decreases, so this is
        two binary searches."""
        start = bisect.bisect_left(self.offsets, raw_start, 0, len(self.text))
        end = bisect.bisect_left(self.offsets, raw_end, start, len(self.text))
        return start, max(start, end)

    def compose(self, outer: "MappedText") -> "MappedText":
        """Re-express ``self`` (whose offsets point into ``outer.text``) against ``outer``'s raw."""
        o = outer.offsets
        return MappedText(self.text, array("q", (o[i] for i in self.offsets)))


class Builder:
    """Accumulates output text piece by piece, each piece tied to its source offsets."""

    __slots__ = ("_parts", "_offsets")

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._offsets = array("q")

    def __len__(self) -> int:
        return len(self._offsets)

    def copy(self, source: str, start: int, end: int) -> None:
        """Append ``source[start:end]`` unchanged."""
        if end > start:
            self._parts.append(source[start:end])
            self._offsets.extend(range(start, end))

    def put(self, chars: str, at: int) -> None:
        """Append ``chars`` (a replacement or an inserted separator) all mapped to offset ``at``."""
        if chars:
            self._parts.append(chars)
            self._offsets.extend([at] * len(chars))

    def last_char(self) -> str:
        return self._parts[-1][-1] if self._parts else ""

    def tail(self, k: int) -> str:
        """The last ``k`` characters built so far."""
        got: list[str] = []
        n = 0
        for part in reversed(self._parts):
            got.append(part)
            n += len(part)
            if n >= k:
                break
        return "".join(reversed(got))[-k:]

    def rstrip(self, chars: str = " ") -> None:
        """Drop trailing ``chars`` from what was built so far."""
        while self._parts:
            last = self._parts[-1]
            kept = last.rstrip(chars)
            removed = len(last) - len(kept)
            if removed:
                del self._offsets[len(self._offsets) - removed:]
            if kept:
                self._parts[-1] = kept
                return
            self._parts.pop()

    def build(self, end_offset: int) -> MappedText:
        offsets = array("q", self._offsets)
        offsets.append(end_offset)
        return MappedText("".join(self._parts), offsets)
