"""The detection kernels' versioned parameters, apart from the kernels.

The controls name the version and the dormancy period in their specs, which every command that
opens a workspace reads; keeping the parameters here lets it do so without loading Polars.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Params:
    """Versioned detection parameters; each has the rule or practice it comes from."""

    version: str = "2026-12-01"
    bulk_floor: int = 25  # distinct customer records a day below which access is never "bulk"
    bulk_multiplier: float = 5.0  # times the system's 90th percentile of user-day record counts
    dormant_days: int = 90  # FFIEC / NIST AC-2(3): disable accounts inactive for a defined period
    silent_grace: float = 0.5  # a log is late after its cadence plus this fraction of it

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "bulk_floor": self.bulk_floor,
            "bulk_multiplier": self.bulk_multiplier,
            "dormant_days": self.dormant_days,
            "silent_grace": self.silent_grace,
        }


PARAMS = Params()
