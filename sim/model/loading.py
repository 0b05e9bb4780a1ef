"""The origin's loading rate: a token bucket in wagons, filled continuously.

Kazakhstan loads 600–650 grain wagons a day (observed.md); a train cannot be formed faster than
its wagons can be loaded, and trains deferred by a halt or a ban must drain through the same rate
instead of all leaving at once when loading resumes. A per-day quota would only move that burst
to midnight, so the bucket is continuous: tokens accrue at `rate` wagons an hour up to `burst`, a
train of w wagons is formed when w tokens are there and takes them. Nothing is rounded: at 600
wagons a day, 55-wagon trains leave every 2.2 h once the bucket is empty.
"""

from __future__ import annotations

EPS = 1e-9


class LoadingBucket:
    """Wagons that may be loaded now, given a rate (wagons per hour) and a burst (the bucket's size)."""

    __slots__ = ("_last", "_tokens", "burst", "rate")

    def __init__(self, wagons_per_hour: float, burst: float) -> None:
        self.rate = wagons_per_hour
        self.burst = burst
        self._tokens = burst  # a full bucket at the start: the origin has not been loading before
        self._last = 0.0

    def level(self, now: float) -> float:
        """Tokens (wagons) available at `now`, never above the burst."""
        if now > self._last:
            tokens = self._tokens + self.rate * (now - self._last)
            self._tokens = tokens if tokens < self.burst else self.burst
            self._last = now
        return self._tokens

    def wait(self, now: float, wagons: int) -> float:
        """Hours from `now` until `wagons` can be loaded (0: now)."""
        short = wagons - self.level(now)
        return 0.0 if short <= EPS else short / self.rate

    def take(self, now: float, wagons: int) -> None:
        """Load `wagons` now (the caller has checked `wait(now, wagons) == 0`)."""
        self.level(now)
        self._tokens -= wagons
