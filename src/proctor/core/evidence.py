"""Evidence presentation as data: modules describe what to show, the web app draws it.

Modules cannot import the web layer, and the web layer should not know each module's evidence
shape. So a module's plugin turns an alert's evidence snapshot into these blocks, and the web app
renders each block kind once: a table, a message with highlighted hits, a timeline, key-values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class KeyValues:
    title: str
    items: Sequence[tuple[str, Any]]


@dataclass(frozen=True)
class TableBlock:
    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]
    highlight_rows: frozenset[int] = frozenset()  # row indexes to emphasise (e.g. the breaching line)


@dataclass(frozen=True)
class MessageBlock:
    """A communication with hits highlighted: spans are (start, end, label) offsets into `text`."""

    title: str
    headers: Sequence[tuple[str, str]]
    text: str
    spans: Sequence[tuple[int, int, str]] = ()


@dataclass(frozen=True)
class TimelinePoint:
    at: str  # ISO-8601 instant
    label: str
    value: float | None = None
    series: str = ""
    emphasis: bool = False


@dataclass(frozen=True)
class TimelineBlock:
    """Events or values over time, e.g. protected quotes around a trade, daily message counts."""

    title: str
    points: Sequence[TimelinePoint]
    unit: str = ""


Block = KeyValues | TableBlock | MessageBlock | TimelineBlock
EvidenceRenderer = Callable[[dict[str, Any]], list[Block]]


def default_blocks(evidence: dict[str, Any]) -> list[Block]:
    """Fallback for evidence types without a renderer: scalars as key-values, lists of dicts as tables."""
    scalars = [(k, v) for k, v in evidence.items() if not isinstance(v, (dict, list))]
    blocks: list[Block] = [KeyValues("Evidence", scalars)] if scalars else []
    for key, value in evidence.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            columns = sorted({c for row in value for c in row})
            blocks.append(
                TableBlock(key.replace("_", " "), columns, [[row.get(c) for c in columns] for row in value])
            )
        elif isinstance(value, dict):
            blocks.append(KeyValues(key.replace("_", " "), [(k, v) for k, v in value.items()]))
        elif isinstance(value, list):
            blocks.append(KeyValues(key.replace("_", " "), [(str(i + 1), v) for i, v in enumerate(value)]))
    return blocks


@dataclass
class RendererRegistry:
    renderers: dict[str, EvidenceRenderer] = field(default_factory=dict)

    def register(self, evidence_type: str, renderer: EvidenceRenderer) -> None:
        self.renderers[evidence_type] = renderer

    def blocks(self, evidence_type: str, evidence: dict[str, Any]) -> list[Block]:
        return self.renderers.get(evidence_type, default_blocks)(evidence)

    def __contains__(self, evidence_type: object) -> bool:
        return evidence_type in self.renderers
