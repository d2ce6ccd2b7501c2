"""Money as integer cents, and percentages applied with the rounding shown apart.

The reserve formula is a regulatory number: a FINOP must be able to foot every line to the cent.
Floats cannot do that, so source amounts are parsed straight from their decimal text into integer
cents, and every percentage (1%, 2%, 3%, 105%, 15% of bank equity) is applied with `Decimal`, rounded
in the direction that never understates the requirement, with the rounding reported on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation

import polars as pl

CENT = Decimal("0.01")
AMOUNT_PATTERN = r"^-?[0-9]+(\.[0-9]{1,2})?$"


def to_cents(text: str | Decimal | int) -> int:
    """Exact cents from a decimal amount; refuses fractions of a cent rather than rounding them."""
    try:
        value = Decimal(str(text).strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"not an amount: {text!r}") from None
    cents = value * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"amount has fractions of a cent: {text!r}")
    return int(cents)


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def fmt(cents: int | None) -> str:
    """Dollars with thousands separators; negative amounts in parentheses as on a FOCUS report."""
    if cents is None:
        return "missing"
    text = f"{abs(cents) // 100:,}.{abs(cents) % 100:02d}"
    return f"({text})" if cents < 0 else text


def cents_expr(column: str) -> pl.Expr:
    """Vectorised exact parse of a decimal-text column into Int64 cents (null stays null).

    Splits on the decimal point instead of casting through a float, so 0.29 is 29 cents, not 28.
    Callers validate the text against AMOUNT_PATTERN first and report the first bad row.
    """
    text = pl.col(column).str.strip_chars()
    negative = text.str.starts_with("-")
    digits = text.str.strip_chars_start("-")
    whole = digits.str.split_exact(".", 1).struct.field("field_0").cast(pl.Int64)
    frac = (
        digits.str.split_exact(".", 1)
        .struct.field("field_1")
        .fill_null("")
        .str.pad_end(2, "0")
        .cast(pl.Int64)
    )
    magnitude = whole * 100 + frac
    return pl.when(negative).then(-magnitude).otherwise(magnitude).alias(column)


@dataclass(frozen=True)
class Rounded:
    """A percentage of an amount: the cents used, and the exact rounding that was applied."""

    cents: int
    exact: Decimal
    rounding: Decimal  # cents used minus exact value, in cents


def apply_rate(cents: int, rate: Decimal, *, up: bool) -> Rounded:
    """Apply a rate to cents; `up` rounds toward a larger figure, otherwise toward a smaller one.

    The caller picks the direction that keeps the reserve requirement conservative: a reduction of
    debits rounds down, a 105% requirement rounds up.
    """
    exact = Decimal(cents) * rate
    used = exact.to_integral_value(rounding=ROUND_CEILING if up else ROUND_FLOOR)
    return Rounded(cents=int(used), exact=exact, rounding=used - exact)
