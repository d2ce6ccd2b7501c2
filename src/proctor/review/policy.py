"""Review policies as versioned data: who is covered, and what selects a message for review.

FINRA 3110(b)(4) asks for written procedures for reviewing correspondence; a policy file *is*
that procedure in a form the system enforces. It is loaded into frozen dataclasses so nothing
downstream can alter it, and identified by :func:`policy_version_hash` — the SHA-256 of its
canonical content — so every selection can say exactly which rules chose it. Comments,
key order and formatting in the file do not change the hash; any change to what is selected does.

Validation is strict: an unknown key (``exclusion:`` for ``exclusions:``) is an error rather than
a silently ignored setting, and every error names the file and the field path
(``lexicon[2].terms[0]``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from proctor.core.alerts import Severity
from proctor.core.errors import InputError
from proctor.platform.ruletables import content_digest, read_document
from proctor.review.terms import Proximity, Term, parse_expression, parse_term

SEVERITIES = tuple(s.value for s in Severity)
DIRECTIONS = ("inbound", "outbound", "internal")
DEFAULT_REPLY_HEADERS = ("-----Original Message-----",)

#: The fields each part of a policy file may have; anything else is an error. docs/review.md
#: documents every one of them (a test keeps the two in step).
FIELDS: dict[str, tuple[str, ...]] = {
    "policy": (
        "id",
        "version",
        "title",
        "description",
        "effective",
        "sla_business_days",
        "populations",
        "categories",
        "lexicon",
        "exclusions",
        "sampling",
        "heightened",
    ),
    "population": ("name", "people", "roles", "everyone", "sources", "directions"),
    "category": ("severity", "must_review", "review_rate", "description"),
    "rule": ("id", "category", "severity", "terms", "evasion", "description"),
    "exclusions": ("quoted_replies", "reply_headers", "signature_delimiter", "disclaimers", "signatures"),
    "sampling": ("seed", "rate", "populations", "people"),
    "heightened": ("person", "reason", "from", "until"),
}


@dataclass(frozen=True)
class Population:
    """A group of covered people, optionally narrowed to some capture sources and directions.

    Empty ``sources`` or ``directions`` mean all of them; ``everyone`` covers every person.
    """

    name: str
    people: frozenset[str]
    roles: frozenset[str]
    everyone: bool
    sources: frozenset[str]
    directions: frozenset[str]


@dataclass(frozen=True)
class Category:
    """A kind of concern (complaint, guarantee, ...) with its severity.

    ``must_review`` categories go to a reviewer individually, always. Other categories may set a
    ``review_rate`` below 1 to review a reproducible sample of their hits.
    """

    name: str
    severity: Severity
    must_review: bool
    review_rate: float
    description: str


@dataclass(frozen=True)
class LexiconRule:
    """A named list of terms in one category; ``evasion`` marks attempts to move off-channel."""

    id: str
    category: str
    severity: Severity
    terms: tuple[Term, ...]
    proximities: tuple[Proximity, ...]
    evasion: bool
    description: str


@dataclass(frozen=True)
class Exclusions:
    """Text removed before scanning: boilerplate that would otherwise hit on every message."""

    quoted_replies: bool
    reply_headers: tuple[Term, ...]
    signature_delimiter: bool
    disclaimers: tuple[Term, ...]
    signatures: tuple[Term, ...]


@dataclass(frozen=True)
class Sampling:
    """Random review at a rate per person, per population, or by default, from a recorded seed."""

    seed: str
    default_rate: float
    population_rates: tuple[tuple[str, float], ...]
    person_rates: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class Heightened:
    """A person under heightened supervision: everything they send or receive is selected."""

    person: str
    reason: str
    start: date | None
    end: date | None

    def active_on(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class ReviewPolicy:
    """One version of a review policy, exactly as approved."""

    id: str
    version: str
    title: str
    description: str
    effective: date | None
    sla_business_days: int | None
    populations: tuple[Population, ...]
    categories: tuple[Category, ...]
    rules: tuple[LexiconRule, ...]
    exclusions: Exclusions
    sampling: Sampling | None
    heightened: tuple[Heightened, ...]

    def category(self, name: str) -> Category:
        for category in self.categories:
            if category.name == name:
                return category
        raise KeyError(name)

    def rule(self, rule_id: str) -> LexiconRule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def canonical(self) -> dict[str, Any]:
        """The policy's content as plain JSON values: what is hashed, stored and shown."""
        return {
            "id": self.id,
            "version": self.version,
            "title": self.title,
            "description": self.description,
            "effective": self.effective.isoformat() if self.effective else None,
            "sla_business_days": self.sla_business_days,
            "populations": [
                {
                    "name": p.name,
                    "people": sorted(p.people),
                    "roles": sorted(p.roles),
                    "everyone": p.everyone,
                    "sources": sorted(p.sources),
                    "directions": sorted(p.directions),
                }
                for p in self.populations
            ],
            "categories": {
                c.name: {
                    "severity": c.severity,
                    "must_review": c.must_review,
                    "review_rate": c.review_rate,
                    "description": c.description,
                }
                for c in self.categories
            },
            "lexicon": [
                {
                    "id": r.id,
                    "category": r.category,
                    "severity": r.severity,
                    "evasion": r.evasion,
                    "description": r.description,
                    "terms": [t.text for t in r.terms] + [p.text for p in r.proximities],
                }
                for r in self.rules
            ],
            "exclusions": {
                "quoted_replies": self.exclusions.quoted_replies,
                "reply_headers": [t.text for t in self.exclusions.reply_headers],
                "signature_delimiter": self.exclusions.signature_delimiter,
                "disclaimers": [t.text for t in self.exclusions.disclaimers],
                "signatures": [t.text for t in self.exclusions.signatures],
            },
            "sampling": None
            if self.sampling is None
            else {
                "seed": self.sampling.seed,
                "rate": self.sampling.default_rate,
                "populations": dict(self.sampling.population_rates),
                "people": dict(self.sampling.person_rates),
            },
            "heightened": [
                {
                    "person": h.person,
                    "reason": h.reason,
                    "from": h.start.isoformat() if h.start else None,
                    "until": h.end.isoformat() if h.end else None,
                }
                for h in self.heightened
            ],
        }


def policy_version_hash(policy: ReviewPolicy) -> str:
    """SHA-256 of the policy's canonical content: the version every selection records."""
    return content_digest(policy.canonical())


def load_policy(path: str | Path) -> ReviewPolicy:
    """Read a policy from a YAML or JSON file."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read policy file: {exc.strerror or exc}", file=file) from exc
    except UnicodeDecodeError as exc:
        raise InputError("policy file is not UTF-8 text", file=file) from exc
    return parse_policy(read_document(text, file), source=file)


def parse_policy(data: Any, source: str = "<policy>") -> ReviewPolicy:
    """Validate a decoded policy document; errors name ``source`` and the field path."""
    return _Parser(source).policy(data)


class _Parser:
    """Walks the document keeping the field path, so every error says where it is."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, path: str, message: str) -> InputError:
        return InputError(message, file=self.source, field=path or "(document)")

    # -- primitives -------------------------------------------------------------------------------

    def mapping(
        self, value: Any, path: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()
    ) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(path, f"expected a mapping of fields, got {_kind(value)}")
        for key in value:
            if key not in allowed:
                raise self.fail(_join(path, str(key)), f"unknown field; expected one of {', '.join(allowed)}")
        for key in required:
            if value.get(key) is None:
                raise self.fail(_join(path, key), "is required")
        return value

    def text(self, value: Any, path: str, *, required: bool = True) -> str:
        if value is None and not required:
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise self.fail(path, f"expected text, got {_kind(value)}")
        out = str(value).strip()
        if required and not out:
            raise self.fail(path, "cannot be empty")
        return out

    def texts(self, value: Any, path: str) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(path, f"expected a list, got {_kind(value)}")
        return [self.text(v, f"{path}[{i}]") for i, v in enumerate(value)]

    def flag(self, value: Any, path: str, default: bool) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.fail(path, f"expected true or false, got {_kind(value)}")
        return value

    def rate(self, value: Any, path: str) -> float:
        if isinstance(value, str) and value.strip().endswith("%"):
            try:
                value = float(value.strip()[:-1]) / 100
            except ValueError:
                raise self.fail(path, f"expected a rate like 0.05 or '5%', got {value!r}") from None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(path, f"expected a rate between 0 and 1, got {_kind(value)}")
        if not 0.0 <= float(value) <= 1.0:
            raise self.fail(path, f"rate must be between 0 and 1, got {value}")
        return float(value)

    def day(self, value: Any, path: str) -> date | None:
        if value is None:
            return None
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise self.fail(path, f"expected a date YYYY-MM-DD, got {value!r}") from None

    def severity(self, value: Any, path: str) -> Severity:
        out = self.text(value, path).lower()
        if out not in SEVERITIES:
            raise self.fail(path, f"unknown severity {value!r}; expected one of {', '.join(SEVERITIES)}")
        return Severity(out)

    def term(self, value: Any, path: str) -> Term:
        try:
            return parse_term(self.text(value, path))
        except ValueError as exc:
            raise self.fail(path, str(exc)) from None

    # -- sections ---------------------------------------------------------------------------------

    def policy(self, data: Any) -> ReviewPolicy:
        doc = self.mapping(
            data,
            "",
            FIELDS["policy"],
            ("id", "version", "title", "populations"),
        )
        sla = doc.get("sla_business_days")
        if sla is not None and (isinstance(sla, bool) or not isinstance(sla, int) or sla < 1):
            raise self.fail(
                "sla_business_days", f"expected a whole number of business days >= 1, got {sla!r}"
            )
        populations = self.populations(doc["populations"])
        categories = self.categories(doc.get("categories"))
        rules = self.rules(doc.get("lexicon"), {c.name: c for c in categories})
        sampling = None if doc.get("sampling") is None else self.sampling(doc["sampling"], populations)
        heightened = self.heightened(doc.get("heightened"))
        if not rules and sampling is None and not heightened:
            raise self.fail("", "a policy must select something: give lexicon, sampling or heightened")
        for category in categories:
            if category.review_rate < 1.0 and sampling is None:
                raise self.fail(
                    f"categories.{category.name}.review_rate",
                    "reviewing a sample of hits needs sampling.seed so the sample is reproducible",
                )
        return ReviewPolicy(
            id=self.text(doc["id"], "id"),
            version=self.text(doc["version"], "version"),
            title=self.text(doc["title"], "title"),
            description=self.text(doc.get("description"), "description", required=False),
            effective=self.day(doc.get("effective"), "effective"),
            sla_business_days=sla,
            populations=populations,
            categories=categories,
            rules=rules,
            exclusions=self.exclusions(doc.get("exclusions")),
            sampling=sampling,
            heightened=heightened,
        )

    def populations(self, value: Any) -> tuple[Population, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail("populations", "expected a non-empty list of populations")
        out: list[Population] = []
        for i, item in enumerate(value):
            path = f"populations[{i}]"
            doc = self.mapping(item, path, FIELDS["population"], ("name",))
            name = self.text(doc["name"], f"{path}.name")
            if any(p.name == name for p in out):
                raise self.fail(f"{path}.name", f"population {name!r} is defined twice")
            people = frozenset(p.lower() for p in self.texts(doc.get("people"), f"{path}.people"))
            roles = frozenset(self.texts(doc.get("roles"), f"{path}.roles"))
            everyone = self.flag(doc.get("everyone"), f"{path}.everyone", False)
            if not people and not roles and not everyone:
                raise self.fail(path, "a population must name people or roles, or set everyone: true")
            directions = self.texts(doc.get("directions"), f"{path}.directions")
            for j, direction in enumerate(directions):
                if direction not in DIRECTIONS:
                    raise self.fail(
                        f"{path}.directions[{j}]",
                        f"unknown direction {direction!r}; expected one of {', '.join(DIRECTIONS)}",
                    )
            out.append(
                Population(
                    name=name,
                    people=people,
                    roles=roles,
                    everyone=everyone,
                    sources=frozenset(self.texts(doc.get("sources"), f"{path}.sources")),
                    directions=frozenset(directions),
                )
            )
        return tuple(out)

    def categories(self, value: Any) -> tuple[Category, ...]:
        if value is None:
            return ()
        if not isinstance(value, Mapping):
            raise self.fail(
                "categories", f"expected a mapping of category name to settings, got {_kind(value)}"
            )
        out: list[Category] = []
        for name, item in value.items():
            path = f"categories.{name}"
            doc = self.mapping(item, path, FIELDS["category"], ("severity",))
            must_review = self.flag(doc.get("must_review"), f"{path}.must_review", False)
            rate = (
                1.0
                if doc.get("review_rate") is None
                else self.rate(doc["review_rate"], f"{path}.review_rate")
            )
            if must_review and rate < 1.0:
                raise self.fail(
                    f"{path}.review_rate",
                    "a must-review category is reviewed item by item and cannot be left to sampling",
                )
            out.append(
                Category(
                    name=self.text(name, path),
                    severity=self.severity(doc["severity"], f"{path}.severity"),
                    must_review=must_review,
                    review_rate=rate,
                    description=self.text(doc.get("description"), f"{path}.description", required=False),
                )
            )
        return tuple(out)

    def rules(self, value: Any, categories: Mapping[str, Category]) -> tuple[LexiconRule, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.fail("lexicon", f"expected a list of lexicon rules, got {_kind(value)}")
        out: list[LexiconRule] = []
        for i, item in enumerate(value):
            path = f"lexicon[{i}]"
            doc = self.mapping(
                item,
                path,
                FIELDS["rule"],
                ("id", "category", "terms"),
            )
            rule_id = self.text(doc["id"], f"{path}.id")
            if any(r.id == rule_id for r in out):
                raise self.fail(f"{path}.id", f"lexicon rule {rule_id!r} is defined twice")
            category = self.text(doc["category"], f"{path}.category")
            if category not in categories:
                raise self.fail(
                    f"{path}.category",
                    f"unknown category {category!r}; define it under categories"
                    f" (known: {', '.join(categories) or 'none'})",
                )
            terms: list[Term] = []
            proximities: list[Proximity] = []
            seen: dict[str, str] = {}
            raw_terms = doc["terms"]
            if not isinstance(raw_terms, list) or not raw_terms:
                raise self.fail(f"{path}.terms", "expected a non-empty list of terms")
            for j, raw in enumerate(raw_terms):
                try:
                    parsed = parse_expression(self.text(raw, f"{path}.terms[{j}]"))
                except ValueError as exc:
                    raise self.fail(f"{path}.terms[{j}]", str(exc)) from None
                key = (
                    f"{parsed.left.key} NEAR/{parsed.distance} {parsed.right.key}"
                    if isinstance(parsed, Proximity)
                    else parsed.key
                )
                if key in seen:
                    raise self.fail(
                        f"{path}.terms[{j}]",
                        f"{parsed.text!r} matches the same text as {seen[key]!r} (matching ignores case"
                        " and accents); list it once",
                    )
                seen[key] = parsed.text
                if isinstance(parsed, Proximity):
                    proximities.append(parsed)
                else:
                    terms.append(parsed)
            severity = (
                categories[category].severity
                if doc.get("severity") is None
                else self.severity(doc["severity"], f"{path}.severity")
            )
            out.append(
                LexiconRule(
                    id=rule_id,
                    category=category,
                    severity=severity,
                    terms=tuple(terms),
                    proximities=tuple(proximities),
                    evasion=self.flag(doc.get("evasion"), f"{path}.evasion", False),
                    description=self.text(doc.get("description"), f"{path}.description", required=False),
                )
            )
        return tuple(out)

    def exclusions(self, value: Any) -> Exclusions:
        doc = self.mapping(
            {} if value is None else value,
            "exclusions",
            FIELDS["exclusions"],
        )
        headers = doc.get("reply_headers")
        header_texts = list(DEFAULT_REPLY_HEADERS) if headers is None else headers
        if not isinstance(header_texts, list):
            raise self.fail("exclusions.reply_headers", f"expected a list, got {_kind(header_texts)}")
        return Exclusions(
            quoted_replies=self.flag(doc.get("quoted_replies"), "exclusions.quoted_replies", True),
            reply_headers=tuple(
                self.term(t, f"exclusions.reply_headers[{i}]") for i, t in enumerate(header_texts)
            ),
            signature_delimiter=self.flag(
                doc.get("signature_delimiter"), "exclusions.signature_delimiter", True
            ),
            disclaimers=self.block_terms(doc.get("disclaimers"), "exclusions.disclaimers"),
            signatures=self.block_terms(doc.get("signatures"), "exclusions.signatures"),
        )

    def block_terms(self, value: Any, path: str) -> tuple[Term, ...]:
        out: list[Term] = []
        for i, text in enumerate(self.texts(value, path)):
            if text.rstrip().endswith("*"):
                raise self.fail(f"{path}[{i}]", "an exclusion is literal text; '*' is not allowed here")
            out.append(self.term(text, f"{path}[{i}]"))
        return tuple(out)

    def sampling(self, value: Any, populations: tuple[Population, ...]) -> Sampling:
        doc = self.mapping(value, "sampling", FIELDS["sampling"], ("seed",))
        names = {p.name for p in populations}
        population_rates: list[tuple[str, float]] = []
        raw = doc.get("populations") or {}
        if not isinstance(raw, Mapping):
            raise self.fail("sampling.populations", "expected a mapping of population name to rate")
        for name, rate in raw.items():
            if name not in names:
                raise self.fail(
                    f"sampling.populations.{name}", f"no population named {name!r} in this policy"
                )
            population_rates.append((str(name), self.rate(rate, f"sampling.populations.{name}")))
        person_rates: list[tuple[str, float]] = []
        raw = doc.get("people") or {}
        if not isinstance(raw, Mapping):
            raise self.fail("sampling.people", "expected a mapping of person to rate")
        for person, rate in raw.items():
            person_rates.append((str(person).strip().lower(), self.rate(rate, f"sampling.people.{person}")))
        return Sampling(
            seed=self.text(doc["seed"], "sampling.seed"),
            default_rate=0.0 if doc.get("rate") is None else self.rate(doc["rate"], "sampling.rate"),
            population_rates=tuple(sorted(population_rates)),
            person_rates=tuple(sorted(person_rates)),
        )

    def heightened(self, value: Any) -> tuple[Heightened, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.fail("heightened", f"expected a list of people, got {_kind(value)}")
        out: list[Heightened] = []
        for i, item in enumerate(value):
            path = f"heightened[{i}]"
            doc = self.mapping(item, path, FIELDS["heightened"], ("person", "reason"))
            start = self.day(doc.get("from"), f"{path}.from")
            end = self.day(doc.get("until"), f"{path}.until")
            if start and end and end < start:
                raise self.fail(f"{path}.until", f"ends {end} before it starts {start}")
            out.append(
                Heightened(
                    person=self.text(doc["person"], f"{path}.person").lower(),
                    reason=self.text(doc["reason"], f"{path}.reason"),
                    start=start,
                    end=end,
                )
            )
        return tuple(out)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _kind(value: Any) -> str:
    return "nothing" if value is None else type(value).__name__
