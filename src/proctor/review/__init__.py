"""Supervisory review of communications (FINRA 3110(b)(4)).

Review policies are versioned data (:mod:`proctor.review.policy`); the lexicon engine finds
hits with their offsets in the original text (:mod:`proctor.review.engine`); selection decides,
message by message and with reasons, what a principal must review (:mod:`proctor.review.selection`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from proctor.core.lazy_exports import lazy_exports

# `highlight` is also this package's module of that name, so it is bound here, after its module
# is imported; the engine, policies and selection load on first use (see `__getattr__`).
from proctor.review.highlight import Segment, highlight

if TYPE_CHECKING:
    from proctor.review.engine import Hit, LexiconEngine, compile_lexicon
    from proctor.review.policy import ReviewPolicy, load_policy, parse_policy, policy_version_hash
    from proctor.review.selection import (
        Reason,
        ReviewMessage,
        Selection,
        evaluate,
        evaluate_many,
        in_scope,
        message_from_dict,
        sample_draw,
    )

_DATA = Path(__file__).resolve().parent / "data"
#: A realistic lexicon policy (complaint, guarantee, off-channel, gifts, insider, suitability).
DEMO_POLICY = _DATA / "demo_policy.yaml"
#: A random-sampling policy with per-population and per-person rates and heightened supervision.
DEMO_SAMPLING = _DATA / "demo_sampling.yaml"

__all__ = [
    "DEMO_POLICY",
    "DEMO_SAMPLING",
    "Hit",
    "LexiconEngine",
    "Reason",
    "ReviewMessage",
    "ReviewPolicy",
    "Segment",
    "Selection",
    "compile_lexicon",
    "evaluate",
    "evaluate_many",
    "highlight",
    "in_scope",
    "load_policy",
    "message_from_dict",
    "parse_policy",
    "policy_version_hash",
    "sample_draw",
]

_HOME = {
    "Hit": "proctor.review.engine",
    "LexiconEngine": "proctor.review.engine",
    "Reason": "proctor.review.selection",
    "ReviewMessage": "proctor.review.selection",
    "ReviewPolicy": "proctor.review.policy",
    "Selection": "proctor.review.selection",
    "compile_lexicon": "proctor.review.engine",
    "evaluate": "proctor.review.selection",
    "evaluate_many": "proctor.review.selection",
    "in_scope": "proctor.review.selection",
    "load_policy": "proctor.review.policy",
    "message_from_dict": "proctor.review.selection",
    "parse_policy": "proctor.review.policy",
    "policy_version_hash": "proctor.review.policy",
    "sample_draw": "proctor.review.selection",
}


__getattr__ = lazy_exports(__name__, _HOME)
