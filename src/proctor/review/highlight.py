"""Cutting a message into plain and highlighted segments for the review page.

The web page and the CLI both show a message as a run of segments; a segment is marked when one
or more hits cover it. Overlapping hits (``guarant*`` inside ``guarantee NEAR/5 return``) split
the text at every hit boundary, so each character carries exactly the hits that cover it and the
page never has to nest or re-order markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

from proctor.core.alerts import Severity

if TYPE_CHECKING:  # the lexicon engine (Hyperscan) loads where messages are scanned, not shown
    from proctor.review.engine import Hit


@dataclass(frozen=True)
class Segment:
    """A stretch of the original text and the hits covering all of it (empty when unmarked)."""

    text: str
    start: int
    end: int
    hits: tuple[Hit, ...] = ()

    @property
    def marked(self) -> bool:
        return bool(self.hits)

    @property
    def severity(self) -> Severity | None:
        """The most severe covering hit, which decides the highlight colour."""
        if not self.hits:
            return None
        return max((h.severity for h in self.hits), key=lambda s: s.rank)

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(sorted({h.category for h in self.hits}))


def highlight(text: str, hits: Iterable[Hit]) -> list[Segment]:
    """Segments covering ``text`` end to end, in order; adjacent segments differ in their hits."""
    valid = sorted(
        (h for h in hits if 0 <= h.start < h.end <= len(text)), key=lambda h: (h.start, h.end, h.rule_id)
    )
    cuts = sorted({0, len(text)} | {h.start for h in valid} | {h.end for h in valid})
    segments: list[Segment] = []
    active: list[Hit] = []
    pending: Sequence[Hit] = valid
    index = 0
    for left, right in pairwise(cuts):
        while index < len(pending) and pending[index].start <= left:
            active.append(pending[index])
            index += 1
        active = [h for h in active if h.end > left]
        covering = tuple(active)
        if segments and segments[-1].hits == covering:
            last = segments[-1]
            segments[-1] = Segment(text[last.start : right], last.start, right, covering)
        else:
            segments.append(Segment(text[left:right], left, right, covering))
    return segments
