"""Which messages a policy selects for review, and why — as pure functions of the message.

Every selection carries its reasons, because a principal (and later an examiner) must be able to
tell a lexicon hit from a random sample from heightened supervision. The random sample is a
keyed hash, not a random number generator: a message is sampled when
``SHA-256(seed, policy version, content hash)`` read as a fraction falls below its rate. Running
the selection again — tomorrow, on another machine, in an examiner's verifier — selects exactly
the same messages, and changing the seed draws a different sample.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from proctor.core.alerts import Severity
from proctor.core.errors import InputError
from proctor.review.engine import Hit, LexiconEngine, compile_lexicon
from proctor.review.errors import ReviewError
from proctor.review.policy import Population, ReviewPolicy, policy_version_hash

MESSAGE_DIRECTIONS = ("inbound", "outbound", "internal", "unknown")
_FIELDS = ("id", "content_hash", "sender", "recipients", "source", "direction", "sent_at", "text")

#: Reason kinds, strongest first: the order a queue shows them in.
REASON_KINDS = ("must_review", "evasion", "heightened", "lexicon", "sample")

Directory = Mapping[str, Iterable[str]]


@dataclass(frozen=True)
class ReviewMessage:
    """A captured communication in the normalised form selection works on."""

    id: str
    content_hash: str
    sender: str
    recipients: tuple[str, ...]
    source: str
    direction: str
    sent_at: datetime
    text: str

    @property
    def participants(self) -> tuple[str, ...]:
        return (self.sender, *(r for r in self.recipients if r != self.sender))


@dataclass(frozen=True)
class Reason:
    """Why a message was selected; ``rate`` and ``draw`` let anyone re-check a sample."""

    kind: str
    detail: str
    category: str | None = None
    person: str | None = None
    rate: float | None = None
    draw: float | None = None


@dataclass(frozen=True)
class Selection:
    """A message selected under one policy version, with its reasons and hits."""

    message_id: str
    content_hash: str
    policy_id: str
    policy_version: str
    covered: tuple[str, ...]
    populations: tuple[str, ...]
    reasons: tuple[Reason, ...]
    hits: tuple[Hit, ...]

    @property
    def must_review(self) -> bool:
        """True when the item must be reviewed individually and may never be sampled away."""
        return any(r.kind in ("must_review", "evasion", "heightened") for r in self.reasons)

    @property
    def severity(self) -> Severity | None:
        if not self.hits:
            return None
        return max((h.severity for h in self.hits), key=lambda s: s.rank)

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(k for k in REASON_KINDS if any(r.kind == k for r in self.reasons))


def message_from_dict(data: Mapping[str, Any], source: str = "messages") -> ReviewMessage:
    """Validate a normalised message; errors name the message id and the field."""
    where = f"{source} (message {data.get('id', '?')!s})" if isinstance(data, Mapping) else source
    if not isinstance(data, Mapping):
        raise InputError(f"expected a message mapping, got {type(data).__name__}", file=where)
    for key in _FIELDS:
        if key not in data or data[key] is None:
            raise InputError("is missing", file=where, field=key)
    for key in ("id", "content_hash", "sender", "source", "direction", "text"):
        if not isinstance(data[key], str):
            raise InputError(f"expected text, got {type(data[key]).__name__}", file=where, field=key)
    for key in ("id", "content_hash", "sender", "source"):
        if not data[key].strip():
            raise InputError("cannot be empty", file=where, field=key)
    recipients = data["recipients"]
    if isinstance(recipients, str) or not isinstance(recipients, (list, tuple)):
        raise InputError("expected a list of addresses", file=where, field="recipients")
    if not all(isinstance(r, str) and r.strip() for r in recipients):
        raise InputError("every recipient must be a non-empty address", file=where, field="recipients")
    direction = data["direction"]
    if direction not in MESSAGE_DIRECTIONS:
        raise InputError(
            f"unknown direction {direction!r}; expected one of {', '.join(MESSAGE_DIRECTIONS)}",
            file=where,
            field="direction",
        )
    return ReviewMessage(
        id=data["id"],
        content_hash=data["content_hash"],
        sender=data["sender"].strip().lower(),
        recipients=tuple(r.strip().lower() for r in recipients),
        source=data["source"],
        direction=direction,
        sent_at=_instant(data["sent_at"], where),
        text=data["text"],
    )


def _instant(value: Any, where: str) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise InputError(f"not an ISO 8601 time: {value!r}", file=where, field="sent_at") from None
    if not isinstance(value, datetime):
        raise InputError(f"expected a time, got {type(value).__name__}", file=where, field="sent_at")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InputError("time has no UTC offset; it cannot be placed in time", file=where, field="sent_at")
    return value.astimezone(UTC)


def sample_draw(seed: str, policy_version: str, content_hash: str, salt: str = "") -> float:
    """A fraction in [0, 1) fixed by its inputs: the reproducible "random" number for a message."""
    key = "\x1f".join((seed, policy_version, content_hash, salt)).encode("utf-8")
    return int.from_bytes(hashlib.sha256(key).digest()[:8], "big") / 2**64


def in_scope(
    policy: ReviewPolicy, message: ReviewMessage, directory: Directory | None = None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The covered people in ``message`` and the populations covering it.

    A message whose direction is ``unknown`` is kept in every population whatever its direction
    filter: when the capture cannot tell, reviewing it is the safe side.
    ``everyone`` covers the participants found in ``directory`` (all of them without one).
    """
    covered: set[str] = set()
    populations: list[str] = []
    for population in policy.populations:
        if population.sources and message.source not in population.sources:
            continue
        directed = population.directions and message.direction != "unknown"
        if directed and message.direction not in population.directions:
            continue
        found = {person for person in message.participants if _covers(population, person, directory)}
        if found:
            covered |= found
            populations.append(population.name)
    return tuple(sorted(covered)), tuple(populations)


def _person_rate(
    policy: ReviewPolicy, person: str, populations: Sequence[str], directory: Directory | None
) -> float:
    assert policy.sampling is not None
    rates = dict(policy.sampling.person_rates)
    if person in rates:
        return rates[person]
    by_population = dict(policy.sampling.population_rates)
    covering = [
        by_population[p.name]
        for p in policy.populations
        if p.name in populations and p.name in by_population and _covers(p, person, directory)
    ]
    return max(covering) if covering else policy.sampling.default_rate


def _covers(population: Population, person: str, directory: Directory | None) -> bool:
    if person in population.people:
        return True
    if population.roles and directory is not None and population.roles & set(directory.get(person, ())):
        return True
    return bool(population.everyone and (directory is None or person in directory))


def evaluate(
    policy: ReviewPolicy,
    message: ReviewMessage | Mapping[str, Any],
    *,
    directory: Directory | None = None,
    engine: LexiconEngine | None = None,
) -> Selection | None:
    """The selection of one message under ``policy``, or None when nothing selects it."""
    msg = message if isinstance(message, ReviewMessage) else message_from_dict(message)
    lexicon = _engine_for(policy, engine)
    hits = lexicon.scan(msg.text) if policy.rules else []
    return _decide(policy, lexicon.policy_version, msg, hits, directory)


def evaluate_many(
    policy: ReviewPolicy,
    messages: Iterable[ReviewMessage | Mapping[str, Any]],
    *,
    directory: Directory | None = None,
    engine: LexiconEngine | None = None,
) -> list[Selection | None]:
    """:func:`evaluate` for many messages, scanning their texts in batches."""
    msgs = [m if isinstance(m, ReviewMessage) else message_from_dict(m) for m in messages]
    lexicon = _engine_for(policy, engine)
    all_hits = lexicon.scan_many([m.text for m in msgs]) if policy.rules else [[] for _ in msgs]
    return [
        _decide(policy, lexicon.policy_version, m, h, directory) for m, h in zip(msgs, all_hits, strict=True)
    ]


def _engine_for(policy: ReviewPolicy, engine: LexiconEngine | None) -> LexiconEngine:
    if engine is None:
        return compile_lexicon(policy)
    if engine.policy_version != policy_version_hash(policy):
        raise ReviewError(
            f"the lexicon engine was compiled for policy version {engine.policy_version[:12]},"
            f" not for this version of {policy.id!r}"
        )
    return engine


def _decide(
    policy: ReviewPolicy,
    version: str,
    msg: ReviewMessage,
    hits: list[Hit],
    directory: Directory | None,
) -> Selection | None:
    covered, populations = in_scope(policy, msg, directory)
    reasons: list[Reason] = []
    day = msg.sent_at.date()
    for entry in policy.heightened:
        if entry.person in msg.participants and entry.active_on(day):
            reasons.append(
                Reason(
                    "heightened",
                    f"{entry.person} is under heightened supervision: {entry.reason}",
                    person=entry.person,
                )
            )
    if not covered and not reasons:
        return None
    if covered:
        reasons.extend(_lexicon_reasons(policy, version, msg, hits))
        if policy.sampling is not None:
            reasons.extend(_sample_reason(policy, version, msg, covered, populations, directory))
    if not reasons:
        return None
    order = {k: i for i, k in enumerate(REASON_KINDS)}
    reasons.sort(key=lambda r: (order[r.kind], r.category or "", r.person or ""))
    return Selection(
        message_id=msg.id,
        content_hash=msg.content_hash,
        policy_id=policy.id,
        policy_version=version,
        covered=covered,
        populations=populations,
        reasons=tuple(reasons),
        hits=tuple(hits) if covered else (),
    )


def _lexicon_reasons(policy: ReviewPolicy, version: str, msg: ReviewMessage, hits: list[Hit]) -> list[Reason]:
    by_category: dict[tuple[str, bool], list[Hit]] = {}
    for hit in hits:
        evasion = policy.rule(hit.rule_id).evasion
        by_category.setdefault((hit.category, evasion), []).append(hit)
    reasons: list[Reason] = []
    for (name, evasion), found in sorted(by_category.items()):
        category = policy.category(name)
        terms = _term_summary(found)
        if evasion:
            reasons.append(Reason("evasion", f"evasion terms ({name}): {terms}", category=name))
        elif category.must_review:
            reasons.append(
                Reason("must_review", f"{name} must be reviewed individually: {terms}", category=name)
            )
        elif category.review_rate >= 1.0:
            reasons.append(Reason("lexicon", f"{name}: {terms}", category=name))
        else:
            assert policy.sampling is not None  # validation requires a seed for sampled categories
            draw = sample_draw(policy.sampling.seed, version, msg.content_hash, f"category:{name}")
            if draw < category.review_rate:
                reasons.append(
                    Reason(
                        "lexicon",
                        f"{name}: {terms} (hit sampled at {category.review_rate:.2%})",
                        category=name,
                        rate=category.review_rate,
                        draw=draw,
                    )
                )
    return reasons


def _sample_reason(
    policy: ReviewPolicy,
    version: str,
    msg: ReviewMessage,
    covered: Sequence[str],
    populations: Sequence[str],
    directory: Directory | None,
) -> list[Reason]:
    assert policy.sampling is not None
    rate, person = max((_person_rate(policy, p, populations, directory), p) for p in covered)
    draw = sample_draw(policy.sampling.seed, version, msg.content_hash)
    if draw >= rate:
        return []
    return [
        Reason(
            "sample", f"random sample at {rate:.2%} (rate of {person})", person=person, rate=rate, draw=draw
        )
    ]


def _term_summary(hits: list[Hit]) -> str:
    counts: dict[str, int] = {}
    for hit in hits:
        counts[hit.term] = counts.get(hit.term, 0) + 1
    return ", ".join(f"{term} x{n}" if n > 1 else term for term, n in sorted(counts.items()))
