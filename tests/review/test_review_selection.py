"""Selection: who is in scope, why a message is selected, and samples that can be re-drawn."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from proctor.core.errors import InputError
from proctor.review.engine import compile_lexicon
from proctor.review.errors import ReviewError
from proctor.review.policy import parse_policy, policy_version_hash
from proctor.review.selection import evaluate, evaluate_many, in_scope, message_from_dict, sample_draw

from .conftest import policy_doc


def message(n: int = 1, text: str = "Confirming our meeting on Tuesday.", **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": f"msg-{n}",
        "content_hash": f"{n:064x}",
        "sender": "ann@firm.example",
        "recipients": ["client@gmail.example"],
        "source": "exchange-journal",
        "direction": "outbound",
        "sent_at": "2024-08-05T14:30:00+00:00",
        "text": text,
    }
    base.update(fields)
    return base


SAMPLING = {"seed": "q3-2024", "rate": 0.2}


def test_plain_message_outside_every_rule_is_not_selected() -> None:
    assert evaluate(parse_policy(policy_doc()), message()) is None


def test_lexicon_hit_selects_with_reason_and_hits() -> None:
    policy = parse_policy(policy_doc())
    selection = evaluate(policy, message(text="I can guarantee a 9% return"))
    assert selection is not None
    assert selection.kinds == ("lexicon",)
    assert selection.reasons[0].category == "guarantee"
    assert {h.term for h in selection.hits} == {"guarant*", "guarantee NEAR/5 return"}
    assert selection.policy_version == policy_version_hash(policy)
    assert selection.covered == ("ann@firm.example",)
    assert not selection.must_review


def test_must_review_category_is_flagged_for_individual_review() -> None:
    selection = evaluate(parse_policy(policy_doc()), message(text="There was an unauthorized trade"))
    assert selection is not None and selection.kinds == ("must_review",)
    assert selection.must_review


def test_must_review_hit_is_selected_even_when_sampling_would_skip_it() -> None:
    policy = parse_policy(policy_doc(sampling={"seed": "s", "rate": 0.0}))
    selection = evaluate(policy, message(text="I want to complain about my account"))
    assert selection is not None and selection.must_review


def test_evasion_terms_select_as_evasion() -> None:
    selection = evaluate(parse_policy(policy_doc()), message(text="TYOP, text me tonight"))
    assert selection is not None and selection.kinds == ("evasion",)
    assert selection.must_review
    assert "TYOP" in selection.reasons[0].detail and "text me" in selection.reasons[0].detail


def test_message_of_people_outside_the_population_is_not_selected() -> None:
    outsider = message(text="guaranteed", sender="carl@firm.example", recipients=["x@ext.example"])
    assert evaluate(parse_policy(policy_doc()), outsider) is None


def test_received_messages_cover_the_recipient() -> None:
    inbound = message(
        sender="client@gmail.example",
        recipients=["bob@firm.example"],
        direction="inbound",
        text="I wish to complain",
    )
    selection = evaluate(parse_policy(policy_doc()), inbound)
    assert selection is not None and selection.covered == ("bob@firm.example",)


def test_roles_sources_and_directions_narrow_a_population() -> None:
    doc = policy_doc(
        populations=[
            {
                "name": "reps",
                "roles": ["registered_representative"],
                "sources": ["exchange-journal"],
                "directions": ["outbound"],
            }
        ]
    )
    policy = parse_policy(doc)
    directory = {"ann@firm.example": ["registered_representative"], "bob@firm.example": ["operations"]}
    assert in_scope(policy, message_from_dict(message()), directory) == (("ann@firm.example",), ("reps",))
    assert in_scope(policy, message_from_dict(message(source="bloomberg-chat")), directory) == ((), ())
    assert in_scope(policy, message_from_dict(message(direction="internal")), directory) == ((), ())
    unknown = message_from_dict(message(direction="unknown"))
    assert in_scope(policy, unknown, directory)[1] == ("reps",), "unknown direction is reviewed, not dropped"
    assert in_scope(policy, message_from_dict(message(sender="bob@firm.example")), directory) == ((), ())


def test_sampling_is_reproducible_with_the_same_seed() -> None:
    policy = parse_policy(policy_doc(sampling=SAMPLING))
    messages = [message(n) for n in range(400)]
    first = {s.message_id for s in evaluate_many(policy, messages) if s}
    again = {s.message_id for s in evaluate_many(policy, list(reversed(messages))) if s}
    assert first == again
    assert 50 < len(first) < 110, "about 20% of 400"


def test_a_different_seed_draws_a_different_sample() -> None:
    messages = [message(n) for n in range(400)]
    one = {s.message_id for s in evaluate_many(parse_policy(policy_doc(sampling=SAMPLING)), messages) if s}
    other_policy = parse_policy(policy_doc(sampling={**SAMPLING, "seed": "q3-2024-redraw"}))
    other = {s.message_id for s in evaluate_many(other_policy, messages) if s}
    assert one != other
    assert len(one & other) < len(one) * 0.5


def test_sample_depends_only_on_seed_version_and_content_hash() -> None:
    policy = parse_policy(policy_doc(sampling=SAMPLING))
    a = evaluate(policy, message(7, text="Lunch?", sent_at="2024-01-01T00:00:00+00:00"))
    b = evaluate(policy, message(7, text="Lunch?", id="another-id", sent_at="2025-06-01T09:00:00-04:00"))
    assert (a is None) == (b is None)
    draw = sample_draw("q3-2024", policy_version_hash(policy), f"{7:064x}")
    assert 0.0 <= draw < 1.0
    assert draw == sample_draw("q3-2024", policy_version_hash(policy), f"{7:064x}")


def test_sample_reason_records_rate_and_draw_so_it_can_be_rechecked() -> None:
    policy = parse_policy(policy_doc(sampling=SAMPLING))
    selected = next(s for s in evaluate_many(policy, [message(n) for n in range(50)]) if s)
    (reason,) = selected.reasons
    assert reason.kind == "sample" and reason.rate == 0.2
    assert reason.draw == sample_draw("q3-2024", selected.policy_version, selected.content_hash)
    assert reason.draw is not None and reason.draw < 0.2


def test_person_rate_overrides_population_rate() -> None:
    policy = parse_policy(
        policy_doc(
            sampling={
                "seed": "s",
                "rate": 0.0,
                "populations": {"reps": 0.0},
                "people": {"Ann@Firm.example": 1.0},
            }
        )
    )
    assert evaluate(policy, message(sender="ann@firm.example")) is not None
    assert evaluate(policy, message(sender="bob@firm.example")) is None


def test_heightened_supervision_selects_everything_in_its_window() -> None:
    doc = policy_doc(
        heightened=[
            {"person": "bob@firm.example", "reason": "Plan HS-7", "from": "2024-08-01", "until": "2024-08-31"}
        ]
    )
    policy = parse_policy(doc)
    during = evaluate(policy, message(sender="bob@firm.example", sent_at="2024-08-05T10:00:00+00:00"))
    assert during is not None and during.kinds == ("heightened",) and during.must_review
    assert "Plan HS-7" in during.reasons[0].detail
    after = message(sender="bob@firm.example", sent_at="2024-09-02T10:00:00+00:00")
    assert evaluate(policy, after) is None
    received = message(sender="x@ext.example", recipients=["bob@firm.example"], direction="inbound")
    assert evaluate(policy, received) is not None


def test_sampled_category_reviews_a_reproducible_share_of_hits() -> None:
    categories = {**policy_doc()["categories"], "gifts": {"severity": "low", "review_rate": 0.5}}
    policy = parse_policy(policy_doc(categories=categories, sampling={"seed": "g", "rate": 0}))
    results = evaluate_many(policy, [message(n, text=f"A gift card for you #{n}") for n in range(200)])
    chosen = [s for s in results if s]
    assert 70 < len(chosen) < 130
    assert all(s.reasons[0].rate == 0.5 for s in chosen)
    assert [s.message_id for s in chosen] == [
        s.message_id
        for s in evaluate_many(policy, [message(n, text=f"A gift card for you #{n}") for n in range(200)])
        if s
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"direction": None}, "direction"),
        ({"direction": "sideways"}, "direction"),
        ({"recipients": "client@gmail.example"}, "recipients"),
        ({"sent_at": "2024-08-05T14:30:00"}, "sent_at"),
        ({"sent_at": "yesterday"}, "sent_at"),
        ({"text": None}, "text"),
        ({"content_hash": ""}, "content_hash"),
    ],
)
def test_bad_messages_name_the_message_and_field(change: dict[str, Any], field: str) -> None:
    bad = message(**change)
    if change.get(field, "") is None:
        del bad[field]
    with pytest.raises(InputError) as caught:
        evaluate(parse_policy(policy_doc()), bad)
    assert caught.value.field == field
    assert "msg-1" in str(caught.value)


def test_sent_at_is_normalised_to_utc() -> None:
    parsed = message_from_dict(message(sent_at=datetime(2024, 8, 5, 10, 30, tzinfo=UTC)))
    assert parsed.sent_at.tzinfo is UTC


def test_an_engine_compiled_for_another_version_is_refused() -> None:
    old = parse_policy(policy_doc())
    new = parse_policy(policy_doc(title="Retail correspondence, revised"))
    with pytest.raises(ReviewError, match="not for this version"):
        evaluate(new, message(), engine=compile_lexicon(old))
