"""Fault rules on the wire (CONTRACT.md §6.1): the trading blueprint's hooks that delay a call,
answer in its place, or lose its answer; the rules themselves live in services/faults.py."""

from __future__ import annotations

import time

from flask import Response, current_app, g, request

from .errors import (
    CODE_OF,
    INVALID_TOKEN_CHALLENGE,
    DomainError,
    Unauthorized,
    ValidationError,
    domain_error_response,
    envelope,
)
from .fault_rules import MAX_HOLD_MS
from .http import request_json
from .rate_limit import parse
from .services import faults
from .services.sandbox import BAD_CREDENTIALS
from .validation import is_valid_unicode

ENDPOINT_OF = {"trading.token": "token", "trading.plant_list": "plant/list",
               "trading.plant_config": "plant/config",
               "trading.plant_config_update": "plant/config/update"}
# What a connection cut mid-answer leaves: the start of the real shape, then nothing.
TRUNCATED = {"token": '{"accessToken": "eyJhbGciOiJIUzI1NiIs',
             "plant/list": '[{"plantId": "PLANT-001", "name": "',
             "plant/config": '{"plantId": "PLANT-001", "version": 1, "timeConfigs": [{"from": ',
             "plant/config/update": '{"resultCode": "applied_ok", "plantId": "'}


def intercept(client_id: str | None, rules_version: int) -> Response | None:
    """Run the client's rules for this call: sleep for latency rules; the injected answer, or
    None when the real work goes ahead (a lost answer is swapped in after it)."""
    endpoint = ENDPOINT_OF.get(request.endpoint or "")
    if endpoint is None or not _comparable(client_id):
        return None
    verdict = faults.evaluate(client_id, endpoint, _named_plant(), rules_version)
    if verdict is None or not verdict.fired:
        return None
    g.faults_fired = verdict.fired
    # Delays and a hang share one budget, so a held call always answers before gunicorn's
    # timeout could end its worker.
    delay = min(verdict.delay_ms, MAX_HOLD_MS) / 1000
    time.sleep(delay)
    effect = verdict.answer
    if effect is None:
        return None
    if effect["type"] == "lost_answer":
        g.lost_answer = effect
        return None
    return _answer(effect, endpoint, MAX_HOLD_MS / 1000 - delay)


def lose_answer(response: Response) -> Response:
    """After the real work of a `lost_answer` call (the update is stored): the given error."""
    effect = g.get("lost_answer")
    if effect is None:
        return response
    status = effect["status"]
    return envelope(status, CODE_OF[status], "The partner's answer was lost (fault rule)")


def final_headers(response: Response) -> Response:
    """An injected answer's own Retry-After and X-RateLimit-* headers, set over the real ones."""
    for name, value in g.get("fault_headers", {}).items():
        response.headers[name] = value
    return response


def _answer(effect: dict, endpoint: str, hold_budget: float) -> Response:
    kind = effect["type"]
    if kind == "error":
        status = effect["status"]
        if "retryAfter" in effect:
            g.fault_headers = {"Retry-After": str(effect["retryAfter"])}
        return envelope(status, CODE_OF[status], f"The partner answered {status} (fault rule)")
    if kind == "rate_limited":
        retry_after = effect["retryAfter"]
        limit = parse(current_app.config["VOKE_ESM_RATE_LIMIT"])[0].amount
        g.fault_headers = {"Retry-After": str(retry_after), "X-RateLimit-Limit": str(limit),
                           "X-RateLimit-Remaining": "0",
                           "X-RateLimit-Reset": str(int(time.time()) + retry_after)}
        return envelope(429, "TOO_MANY_REQUESTS", "Rate limit exceeded (fault rule)")
    if kind == "hang":
        time.sleep(min(effect["seconds"], hold_budget))
        return envelope(504, "GATEWAY_TIMEOUT", "The partner did not answer in time (fault rule)")
    if kind == "malformed_body":
        return Response(TRUNCATED[endpoint], 200, mimetype="application/json")
    return domain_error_response(_error_of(effect, endpoint))


def _error_of(effect: dict, endpoint: str) -> DomainError:
    kind = effect["type"]
    if kind == "invalid_token":
        if endpoint == "token":
            return Unauthorized(BAD_CREDENTIALS)
        return Unauthorized("Invalid or expired access token", challenge=INVALID_TOKEN_CHALLENGE)
    if kind == "reject_config":
        return ValidationError(effect["details"], resultCode="cfg_rejected")
    return DomainError("CONFIG_DISABLED", "Config updates are disabled for this plant",
                       resultCode="cfg_disabled")


def _named_plant() -> str | None:
    """The externalPlantId the call is about, from the query or the JSON body."""
    plant_id = request.args.get("plantId")
    if plant_id is None:
        body = request_json() if request.content_length else None
        plant_id = body.get("plantId") if isinstance(body, dict) else None
    return plant_id if _comparable(plant_id) else None


def _comparable(text: object) -> bool:
    """Text every backend can compare (the token endpoint's clientId is as sent)."""
    return isinstance(text, str) and "\x00" not in text and is_valid_unicode(text)
