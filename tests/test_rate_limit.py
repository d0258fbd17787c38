"""The rate limiter's pure rules: a moving window counted in memory (CONTRACT §2.2)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voke_esm import rate_limit
from voke_esm.rate_limit import HitTimes, RateLimiter


@pytest.fixture
def clock(monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(rate_limit.time, "time", lambda: now[0])
    return now


def hits(limiter: RateLimiter, count: int, expression: str = "3 per minute", key: str = "a"):
    return [limiter.hit(expression, "scope", key) for _ in range(count)]


def test_the_limit_holds_in_any_window_not_only_in_fixed_minutes(clock):
    limiter = RateLimiter("memory://", "test")
    assert [d.allowed for d in hits(limiter, 4)] == [True, True, True, False]
    clock[0] += 59.9  # a fixed window would have reset at the minute
    assert not limiter.hit("3 per minute", "scope", "a").allowed
    clock[0] += 0.2  # the first three hits have left the window
    assert [d.allowed for d in hits(limiter, 4)] == [True, True, True, False]


def test_a_refused_call_uses_no_quota(clock):
    limiter = RateLimiter("memory://", "test")
    hits(limiter, 3)
    for _ in range(10):
        clock[0] += 5
        assert not limiter.hit("3 per minute", "scope", "a").allowed
    clock[0] += 10.1  # 60.1 s after the first three: all three slots are free again
    assert [d.allowed for d in hits(limiter, 4)] == [True, True, True, False]


def test_the_figures_a_client_reads(clock):
    limiter = RateLimiter("memory://", "test")
    first, second, third, refused = hits(limiter, 4)
    assert (first.limit, first.remaining, second.remaining, third.remaining) == (3, 2, 1, 0)
    assert first.reset == clock[0] + 60
    assert refused.headers == {"X-RateLimit-Limit": "3", "X-RateLimit-Remaining": "0",
                               "X-RateLimit-Reset": str(int(clock[0]) + 60),
                               "Retry-After": "60"}
    assert "Retry-After" not in first.headers


def test_keys_scopes_and_prefixes_count_apart(clock):
    limiter = RateLimiter("memory://", "test")
    hits(limiter, 3)
    assert limiter.hit("3 per minute", "scope", "b").allowed
    assert limiter.hit("3 per minute", "other scope", "a").allowed
    assert RateLimiter("memory://", "another instance").hit("3 per minute", "scope", "a").allowed


def test_several_limits_count_a_call_in_all_or_none(clock):
    limiter = RateLimiter("memory://", "test")
    expression = "2 per second; 3 per minute"
    assert [d.allowed for d in hits(limiter, 3, expression)] == [True, True, False]
    clock[0] += 1.5
    decision = limiter.hit(expression, "scope", "a")
    assert decision.allowed and decision.remaining == 0 and decision.limit == 3
    clock[0] += 1.5
    refused = limiter.hit(expression, "scope", "a")  # the minute's window is full
    assert not refused.allowed and refused.limit == 3
    clock[0] += 57.1  # the refused call at 1.5 s left no trace in the per-second window
    assert [d.allowed for d in hits(limiter, 3, expression)] == [True, True, False]


def test_idle_keys_are_forgotten(clock):
    limiter = RateLimiter("memory://", "test")
    for key in range(100):
        limiter.hit("3 per minute", "scope", str(key))
    clock[0] += 61
    limiter.hit("3 per minute", "scope", "fresh")
    assert len(limiter.memory._windows) == 1


@given(st.lists(st.floats(min_value=-0.05, max_value=0.1), min_size=100, max_size=400))
def test_a_window_of_hit_times_holds_what_a_list_of_every_hit_would(gaps):
    """Forgetting by bisection, and cutting the array now and then, keeps exactly the hits
    of the last second, oldest first; a clock set back counts a hit at the newest time."""
    window, kept, now = HitTimes(), [], 1000.0
    for gap in gaps:
        now += gap
        window.forget_until(now - 1.0)
        kept = [when for when in kept if when > now - 1.0]
        assert len(window) == len(kept)
        assert not kept or (window.oldest, window.newest) == (kept[0], kept[-1])
        window.append(now)
        kept.append(max(now, kept[-1]) if kept else now)
    assert list(window.times[window.start:]) == kept
