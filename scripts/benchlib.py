"""Timing shared by the benchmark scripts: the best wall time of each contender, run interleaved (run 1 of each,
then run 2 of each, …) so that a burst of load on a shared machine hits them alike; and the load it ran under."""
from __future__ import annotations

import os
import time
from typing import Any, Callable


def side_by_side(contenders: dict[str, Callable[[], Any]], runs: int) -> dict[str, float]:
    """The best wall time, in seconds, of ``runs`` calls of each contender, interleaved."""
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(runs):
        for name, fn in contenders.items():
            started = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - started)
    return {name: min(t) for name, t in times.items()}


def load() -> str:
    """The machine's load average (1, 5, 15 minutes), as ``uptime`` shows it."""
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())
