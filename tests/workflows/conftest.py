"""The time-skipping hall fixtures, shared by every workflow test module."""

from tests.workflows.test_timers import executor, ts_hall, ts_worker

__all__ = ["executor", "ts_hall", "ts_worker"]
