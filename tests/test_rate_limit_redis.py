"""The trading rate limit shared by several worker processes through Redis."""

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.live import live_server, request_json

TOKEN = "/api/v1/voke-esm/trading/token"
LIMIT = 10


@pytest.fixture
def enabled(sandbox):
    return sandbox.enabled()


def token_requests(base_url: str, enabled, count: int, parallel: int = 8) -> list[tuple[int, dict]]:
    body = {"clientId": enabled.client_id, "clientSecret": enabled.client_secret}
    with ThreadPoolExecutor(parallel) as pool:
        answers = pool.map(lambda _: request_json(base_url, "POST", TOKEN, body), range(count))
    return [(status, headers) for status, headers, _ in answers]


def test_workers_together_allow_exactly_the_limit(env, enabled, redis_url, tmp_path):
    env = {**env, "RATELIMIT_STORAGE_URI": redis_url, "VOKE_ESM_RATE_LIMIT": f"{LIMIT} per minute",
           "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
    log = tmp_path / "server.log"
    # One thread per worker: concurrent callers must be spread over the workers.
    with live_server(env, workers=3, threads=1, log_path=log) as base_url:
        answers = token_requests(base_url, enabled, 3 * LIMIT, parallel=12)

    statuses = [status for status, _ in answers]
    assert statuses.count(200) == LIMIT, statuses
    assert statuses.count(429) == 2 * LIMIT
    refused = next(h for status, h in answers if status == 429)
    assert int(refused["Retry-After"]) > 0
    assert refused["X-RateLimit-Limit"] == str(LIMIT)
    # The access log starts with the worker's pid: the limit held across several of them.
    workers = {line.split()[0] for line in log.read_text().splitlines() if TOKEN in line}
    assert len(workers) > 1, log.read_text()


def test_unreachable_storage_falls_back_to_per_process_limits(env, enabled, tmp_path):
    env = {**env, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0",
           "VOKE_ESM_RATE_LIMIT": f"{LIMIT} per minute"}
    log = tmp_path / "server.log"
    with live_server(env, workers=1, threads=4, log_path=log) as base_url:
        burst = [status for status, _ in token_requests(base_url, enabled, 8)]
        counted = [status for status, _ in token_requests(base_url, enabled, 2 * LIMIT, 1)]

    # The burst meets the storage failing: it is served, never answered 500.
    assert set(burst) <= {200, 429} and 200 in burst, burst
    # Afterwards the process counts in memory: the limit holds again.
    assert counted.count(200) <= LIMIT and counted[-LIMIT:] == [429] * LIMIT, counted
    assert "falling back to in-memory storage" in log.read_text()
