"""Evidence blocks prepared for display: one template partial per block kind, whatever the module.

Modules describe their evidence as `proctor.core.evidence` blocks; here each block becomes what its
partial needs (a message split into plain and highlighted runs, a timeline drawn as SVG) and, for
the API, plain JSON. Nothing here knows which module raised the alert.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from fastapi.encoders import jsonable_encoder

from proctor.core.evidence import Block, KeyValues, MessageBlock, TableBlock, TimelineBlock
from proctor.web.charts import timeline

KINDS: dict[type[Any], str] = {
    KeyValues: "keyvalues",
    TableBlock: "table",
    MessageBlock: "message",
    TimelineBlock: "timeline",
}


def segments(text: str, spans: Any) -> list[tuple[str, str | None]]:
    """Split text into runs; a run inside one or more hit spans carries their labels.

    Spans may overlap or reach past the text (a lexicon hit at the very end); they are clamped,
    and overlapping hits are shown as one highlighted run naming every label.
    """
    length = len(text)
    clean: list[tuple[int, int, str]] = []
    for span in spans:
        start, end, name = int(span[0]), int(span[1]), str(span[2])
        start, end = max(0, start), min(length, end)
        if start < end:
            clean.append((start, end, name))
    cuts = sorted({0, length, *(s for s, _, _ in clean), *(e for _, e, _ in clean)})
    runs: list[tuple[str, str | None]] = []
    for left, right in pairwise(cuts):
        names = sorted({n for s, e, n in clean if s <= left and right <= e})
        tag = ", ".join(names) if names else None
        if runs and runs[-1][1] == tag:
            runs[-1] = (runs[-1][0] + text[left:right], tag)
        else:
            runs.append((text[left:right], tag))
    return runs


def view(block: Block) -> dict[str, Any]:
    """What the block's partial receives."""
    kind = KINDS[type(block)]
    out: dict[str, Any] = {"kind": kind, "block": block}
    if isinstance(block, MessageBlock):
        out["segments"] = segments(block.text, block.spans)
    elif isinstance(block, TimelineBlock):
        out["svg"] = timeline(block.points, block.title, block.unit)
    elif isinstance(block, TableBlock):
        out["rows"] = [(i in block.highlight_rows, row) for i, row in enumerate(block.rows)]
    return out


def as_json(block: Block) -> dict[str, Any]:
    data: dict[str, Any] = jsonable_encoder(block)
    data["kind"] = KINDS[type(block)]
    if isinstance(block, TableBlock):
        data["highlight_rows"] = sorted(block.highlight_rows)
    return data
