"""The trading rate limit (CONTRACT §2.2): a moving window per client, one check per call.

`limits` parses the expressions and talks to Redis; this module decides. In one process
(`memory://`) a window is an array of hit times, so a call costs a few microseconds however
high the limit, and a hit 8 bytes for a minute: the list `limits` keeps for memory:// inserts
at its front (a copy of the whole window per hit) and holds an object per hit. If the shared
storage fails, the process counts in memory until the storage answers again, and says so in
the log.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from array import array
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from flask import Flask, current_app
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, Storage, storage_from_string

log = logging.getLogger(__name__)
RETRY_STORAGE_AFTER = (1.0, 60.0)  # seconds: first retry of a failed storage, longest wait


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset: float  # Unix time at which the oldest hit in the window leaves it

    @property
    def headers(self) -> dict[str, str]:
        headers = {"X-RateLimit-Limit": str(self.limit),
                   "X-RateLimit-Remaining": str(self.remaining),
                   "X-RateLimit-Reset": str(math.ceil(self.reset))}
        if not self.allowed:
            headers["Retry-After"] = str(max(1, math.ceil(self.reset - time.time())))
        return headers


@lru_cache(maxsize=64)
def parse(expression: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(expression))


class HitTimes:
    """One window's hit times, oldest first: floats in an array (8 bytes a hit, where a deque
    of float objects took 32) from `start` on; the hits before `start` have left the window
    and are cut off once they are half of the array."""

    __slots__ = ("times", "start")

    def __init__(self):
        self.times = array("d")
        self.start = 0

    def __len__(self) -> int:
        return len(self.times) - self.start

    @property
    def oldest(self) -> float:
        return self.times[self.start]

    @property
    def newest(self) -> float:
        return self.times[-1]

    def append(self, when: float) -> None:
        """Add a hit; a clock set back counts it at the newest time, keeping the order."""
        times = self.times
        times.append(max(when, times[-1]) if len(times) > self.start else when)

    def forget_until(self, cutoff: float) -> None:
        """Forget the hits at or before `cutoff`."""
        times = self.times
        start = bisect_right(times, cutoff, self.start)
        if start > 64 and 2 * start > len(times):
            del times[:start]
            start = 0
        self.start = start


class MemoryWindows:
    """Moving windows in this process: per key, the times of the hits still in its window."""

    SWEEP_EVERY = 10.0  # seconds between sweeps of keys whose windows have emptied

    def __init__(self):
        self._windows: dict[str, tuple[float, HitTimes]] = {}  # key: (expiry, hit times)
        self._lock = threading.Lock()
        self._next_sweep = 0.0

    def hit(self, keyed: list[tuple[RateLimitItem, str]]) -> tuple[int | None, list]:
        """Count one hit in every window, or in none. (None, [(hits in the window, time of
        its oldest hit)] per window); or (index of the first full window, [its figures])."""
        now = time.time()
        with self._lock:
            if now >= self._next_sweep:
                self._sweep(now)
            windows = []
            for index, (item, key) in enumerate(keyed):
                expiry = item.get_expiry()
                window = self._windows.setdefault(key, (expiry, HitTimes()))[1]
                window.forget_until(now - expiry)
                if len(window) >= item.amount:
                    return index, [(len(window), window.oldest)]
                windows.append(window)
            for window in windows:
                window.append(now)
            return None, [(len(window), window.oldest) for window in windows]

    def _sweep(self, now: float) -> None:
        self._next_sweep = now + self.SWEEP_EVERY
        for key in [key for key, (expiry, window) in self._windows.items()
                    if not window or window.newest <= now - expiry]:
            del self._windows[key]

    def clear(self) -> None:
        with self._lock:
            self._windows.clear()


class RateLimiter:
    """Counts calls in `storage_uri` (memory:// or Redis), under keys that start with the
    instance's prefix, so two instances on one Redis count apart."""

    def __init__(self, storage_uri: str, key_prefix: str):
        self.key_prefix = key_prefix
        self.memory = MemoryWindows()
        self.shared: Storage | None = (None if storage_uri.startswith("memory://")
                                       else storage_from_string(storage_uri))
        # The sign-in throttle's fixed windows live in the same storage.
        self.storage: Storage = self.shared or LeanMemoryStorage()
        self._lock = threading.Lock()
        self._dead_since: float | None = None
        self._retry_in = RETRY_STORAGE_AFTER[0]

    def hit(self, expression: str, scope: str, key: str) -> Decision:
        items = parse(expression)
        keyed = [(item, item.key_for(self.key_prefix, scope, key)) for item in items]
        if self.shared is not None and self._shared_alive():
            try:
                return self._hit_shared(keyed)
            except Exception:  # noqa: BLE001 - whatever the storage raised, count in memory
                self._storage_failed()
        refused, windows = self.memory.hit(keyed)
        if refused is not None:
            item = items[refused]
            return Decision(False, item.amount, 0, windows[0][1] + item.get_expiry())
        return _tightest(items, windows)

    def _hit_shared(self, keyed: list[tuple[RateLimitItem, str]]) -> Decision:
        storage = self.shared
        windows = []
        for item, key in keyed:
            allowed = storage.acquire_entry(key, item.amount, item.get_expiry())
            start, count = storage.get_moving_window(key, item.amount, item.get_expiry())
            if not allowed:
                return Decision(False, item.amount, 0, start + item.get_expiry())
            windows.append((count, start))
        return _tightest([item for item, _ in keyed], windows)

    def _shared_alive(self) -> bool:
        """False while the storage is known to be down; now and then, ask it again."""
        if self._dead_since is None:
            return True
        with self._lock:
            if self._dead_since is None:
                return True
            if time.monotonic() - self._dead_since < self._retry_in:
                return False
            try:
                alive = self.shared.check()
            except Exception:  # noqa: BLE001
                alive = False
            if alive:
                log.warning("Rate limit storage recovered: counting in it again")
                self._dead_since, self._retry_in = None, RETRY_STORAGE_AFTER[0]
                return True
            self._dead_since = time.monotonic()
            self._retry_in = min(2 * self._retry_in, RETRY_STORAGE_AFTER[1])
            return False

    def _storage_failed(self) -> None:
        with self._lock:
            if self._dead_since is None:
                log.warning("Rate limit storage unreachable - falling back to in-memory "
                            "storage (limits are per process until it answers again)")
                self._dead_since = time.monotonic()

    def check_storage(self) -> bool:
        try:
            return bool(self.storage.check())
        except Exception:  # noqa: BLE001 - any storage failure is the same answer
            return False

    def reset(self) -> None:
        """Forget every count (tests): this process's and, on a shared storage, every key."""
        self.memory.clear()
        self.storage.reset()


class LeanMemoryStorage(MemoryStorage):
    """limits' memory storage (the sign-in throttle's fixed windows in one process), but
    pruning expired windows at most once a second in the calling thread: the original starts
    a new timer thread on almost every hit. Counting is unchanged (expired entries are ignored
    by the reads themselves, the pruning only frees memory)."""

    STORAGE_SCHEME = ["memory"]  # noqa: RUF012 - read by the limits storage registry
    PRUNE_INTERVAL = 1.0

    def __init__(self, *args, **kwargs):
        self._next_prune = 0.0
        self._prune_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def _MemoryStorage__schedule_expiry(self) -> None:  # replaces the private hook
        now = time.monotonic()
        if now < self._next_prune or not self._prune_lock.acquire(blocking=False):
            return
        try:
            self._next_prune = now + self.PRUNE_INTERVAL
            self._MemoryStorage__expire_events()
        finally:
            self._prune_lock.release()


def _tightest(items, windows: list[tuple[int, float]]) -> Decision:
    """The window with the fewest calls left is the one a client should read."""
    decisions = [Decision(True, item.amount, item.amount - count, oldest + item.get_expiry())
                 for item, (count, oldest) in zip(items, windows, strict=True)]
    return min(decisions, key=lambda decision: decision.remaining)


def init_app(app: Flask) -> None:
    app.extensions["voke_esm_rate_limiter"] = RateLimiter(
        app.config["RATELIMIT_STORAGE_URI"], app.config["RATELIMIT_KEY_PREFIX"])


def limiter() -> RateLimiter:
    return current_app.extensions["voke_esm_rate_limiter"]
