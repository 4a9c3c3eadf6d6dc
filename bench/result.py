"""One phase's figures, as printed in the table and written to the JSON result."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class PhaseResult:
    """What one phase (baseline or a onewindow backend) measured.

    `seconds` runs from the first case's start to the last case's end; latencies are per
    case, from its start (for onewindow: storing the case) to its workflow result.
    """

    name: str
    cases: int
    completed: int
    seconds: float
    latency_p50: float
    latency_p95: float
    activities_per_case: float
    events_per_case: float
    cpu: dict[str, float]
    waits: dict[str, float] = field(default_factory=dict)
    activity_run: dict[str, float] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.completed / self.seconds if self.seconds > 0 else 0.0

    def as_json(self, baseline: PhaseResult | None) -> dict[str, Any]:
        data = asdict(self)
        data["cases_per_second"] = round(self.per_second, 3)
        data["activities_per_second"] = round(self.per_second * self.activities_per_case, 1)
        if baseline is not None and baseline.per_second > 0:
            data["ratio_to_baseline"] = round(self.per_second / baseline.per_second, 3)
        return data
