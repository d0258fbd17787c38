"""The product page's end-to-end flow, run against any ESM that implements CONTRACT.md §2.

Pure HTTP (the standard library's client): no Flask, no database, so `voke-esm check` can
point at this sandbox or at a real partner's test environment. Nothing it reports ever
carries a credential or an access token: a step's answer is described by its status and its
`code`/`resultCode`, never by echoing the body.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

# Two schedules that pass every rule of §2; the check pushes whichever differs from the
# plant's current one, so "the new config is served" cannot pass by accident.
SCHEDULES = (
    [{"from": "00:00", "to": "06:00", "pBatMax": 11, "pBatMin": -11, "socMax": 91, "socMin": 21},
     {"from": "06:00", "to": "23:59", "pBatMax": 42, "pBatMin": -42, "socMax": 88, "socMin": 33}],
    [{"from": "00:00", "to": "23:59", "pBatMax": 7, "pBatMin": -7, "socMax": 80, "socMin": 40}],
)
MALFORMED = [{"from": "00:00", "to": "23:59", "pBatMax": 50, "pBatMin": -50, "socMax": 20,
              "socMin": 90}]
PLANT_FIELDS = ("plantId", "name", "descr", "fvePeakPowerKwp", "capacityKwh", "esiState",
                "configEnabled", "plantWithLoad", "meters")


@dataclass
class Answer:
    status: int | None
    body: object = None
    error: str | None = None  # why there is no usable answer (refused, timed out, not JSON)
    headers: dict = field(default_factory=dict)

    def describe(self) -> str:
        """What came back, without the body's values (they may hold a token)."""
        if self.status is None:
            return self.error or "no answer"
        if self.error:
            return f"{self.status} with {self.error}"
        parts = [str(self.status)]
        if isinstance(self.body, dict):
            for key in ("code", "resultCode", "version"):
                value = self.body.get(key)
                if isinstance(value, str | int) and len(str(value)) < 40:
                    parts.append(f"{key} {value!r}")
        if self.status == 429 and self.headers.get("Retry-After"):
            parts.append(f"(rate limited, Retry-After {self.headers['Retry-After']} s)")
        return " ".join(parts)


@dataclass
class Step:
    name: str
    ok: bool | None  # None: not run, because a step it needs failed
    status: int | None = None
    ms: float | None = None
    expected: str | None = None
    got: str | None = None

    def as_json(self) -> dict:
        return asdict(self)


class StepSkipped(Exception):
    """A step that cannot run because a step it needs did not pass."""


class StepFailed(Exception):
    def __init__(self, expected: str, answer: Answer):
        super().__init__(expected)
        self.expected, self.answer = expected, answer


class Checker:
    """Runs the flow once; `steps` holds what happened, in order."""

    def __init__(self, base_url: str, client_id: str, client_secret: str, *,
                 plant_id: str | None = None, keep: bool = False, timeout: float = 30):
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"the URL must start with http:// or https://, not {base_url[:40]!r}")
        self.base = base_url.rstrip("/") + "/trading"
        self.client_id, self.client_secret = client_id, client_secret
        self.plant_id, self.keep, self.timeout = plant_id, keep, timeout
        self.steps: list[Step] = []
        self.token: str | None = None
        self.original: list = []
        self.version = self.new_version = 0
        self.target: list = SCHEDULES[0]
        self.req_code = ""
        self.applied = False

    @property
    def passed(self) -> bool:
        return bool(self.steps) and all(step.ok for step in self.steps)

    def run(self) -> list[Step]:
        flow: list[tuple[str, Callable[[], Answer]]] = [
            ("token", self.get_token),
            ("plant/list", self.list_plants),
            ("plant/config", self.read_config),
            ("validate-only update", self.dry_run),
            ("applied update", self.apply),
            ("plant/config shows the new version", self.read_back),
            ("same request code again", self.retry),
            ("wrong secret gets 401", self.wrong_secret),
            ("malformed block gets cfg_rejected", self.malformed),
        ]
        if not self.keep:
            flow.append(("restore the original config", self.restore))
        for position, (name, action) in enumerate(flow):
            if not self.step(name, action) and name in ("token", "plant/list", "plant/config"):
                self.steps += [Step(later, None) for later, _ in flow[position + 1:]]
                break
        return self.steps

    def step(self, name: str, action: Callable[[], Answer]) -> bool:
        started = time.perf_counter()
        try:
            answer, ok, expected = action(), True, None
        except StepSkipped:
            self.steps.append(Step(name, None))
            return False
        except StepFailed as failure:
            answer, ok, expected = failure.answer, False, failure.expected
        ms = round((time.perf_counter() - started) * 1000, 1)
        self.steps.append(Step(name, ok, answer.status, ms, expected,
                               None if ok else answer.describe()))
        return ok

    # -- the steps -------------------------------------------------------------------------

    def get_token(self) -> Answer:
        answer = self.call("POST", "/token", {"clientId": self.client_id,
                                             "clientSecret": self.client_secret})
        body = expect(answer, 200, "200 with accessToken, tokenType Bearer, expiresIn")
        if not (isinstance(body.get("accessToken"), str) and body.get("tokenType") == "Bearer"
                and type(body.get("expiresIn")) is int and body["expiresIn"] > 0):
            raise StepFailed("accessToken (string), tokenType Bearer, expiresIn > 0",
                             with_error(answer, "a token answer missing or mistyping a field"))
        self.token = body["accessToken"]
        return answer

    def list_plants(self) -> Answer:
        answer = self.call("GET", "/plant/list")
        plants = expect(answer, 200, "200 with a JSON array of plants", kind=list)
        ids = [plant.get("plantId") for plant in plants if isinstance(plant, dict)]
        if any(not isinstance(plant, dict) or set(PLANT_FIELDS) - plant.keys()
               for plant in plants) or ids != sorted(ids):
            raise StepFailed(f"plants with {', '.join(PLANT_FIELDS)}, ordered by plantId",
                             with_error(answer, "plants missing fields or out of order"))
        if self.plant_id is None:
            usable = [p["plantId"] for p in plants if p.get("configEnabled") is True]
            if not usable:
                raise StepFailed("at least one plant with configEnabled true (or --plant)",
                                 with_error(answer, f"{len(plants)} plants, none usable"))
            self.plant_id = usable[0]
        elif self.plant_id not in ids:
            raise StepFailed(f"plant {self.plant_id} in the list",
                             with_error(answer, "a list without that plant"))
        return answer

    def read_config(self) -> Answer:
        answer, body = self.config()
        self.original, self.version = body["timeConfigs"], body["version"]
        return answer

    def dry_run(self) -> Answer:
        self.target = next(s for s in SCHEDULES if s != self.original)
        answer = self.update(self.target, f"voke-esm-check-dry-{uuid.uuid4().hex[:12]}", True)
        expect_result(answer, "cfg_accepted", self.version)
        return answer

    def apply(self) -> Answer:
        self.req_code = f"voke-esm-check-{uuid.uuid4().hex[:12]}"
        answer = self.update(self.target, self.req_code)
        self.new_version = expect_result(answer, "applied_ok", self.version + 1)
        self.applied = True
        return answer

    def read_back(self) -> Answer:
        self.needs_applied()
        answer, body = self.config()
        if body["version"] != self.new_version or body["timeConfigs"] != self.target:
            raise StepFailed(f"version {self.new_version} with the blocks just sent, verbatim",
                             with_error(answer, f"version {body['version']!r}"
                                        + ("" if body["timeConfigs"] == self.target
                                           else " and other blocks")))
        return answer

    def retry(self) -> Answer:
        self.needs_applied()
        answer = self.update(self.target, self.req_code)
        expect_result(answer, "applied_ok", self.new_version)
        return answer

    def wrong_secret(self) -> Answer:
        answer = self.call("POST", "/token", {"clientId": self.client_id,
                                             "clientSecret": f"wrong-{uuid.uuid4().hex}"})
        expect_error(answer, 401, "UNAUTHORIZED")
        return answer

    def malformed(self) -> Answer:
        answer = self.update(MALFORMED, f"voke-esm-check-bad-{uuid.uuid4().hex[:12]}")
        body = expect_error(answer, 400, "VALIDATION_ERROR")
        if body.get("resultCode") != "cfg_rejected" or not body.get("details"):
            raise StepFailed("400 VALIDATION_ERROR, resultCode cfg_rejected, with details", answer)
        return answer

    def restore(self) -> Answer:
        self.needs_applied()
        answer = self.update(self.original, f"voke-esm-check-restore-{uuid.uuid4().hex[:12]}")
        expect_result(answer, "applied_ok", None)
        return answer

    def needs_applied(self) -> None:
        if not self.applied:
            raise StepSkipped

    # -- HTTP ------------------------------------------------------------------------------

    def config(self) -> tuple[Answer, dict]:
        answer = self.call("GET", f"/plant/config?plantId={urllib.request.quote(self.plant_id)}")
        body = expect(answer, 200, "200 with plantId, version, configEnabled, esiState, "
                                   "timeConfigs")
        if (body.get("plantId") != self.plant_id or type(body.get("version")) is not int
                or not isinstance(body.get("timeConfigs"), list)):
            raise StepFailed("the plant's config: plantId, an integer version, timeConfigs",
                             with_error(answer, "a config missing or mistyping a field"))
        return answer, body

    def update(self, blocks: list, req_code: str, validate_only: bool = False) -> Answer:
        return self.call("POST", "/plant/config/update", {
            "plantId": self.plant_id, "configUpdateReqCode": req_code,
            "validateOnly": validate_only, "timeConfigs": blocks})

    def call(self, method: str, path: str, body: dict | None = None) -> Answer:
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            self.base + path, method=method,
            data=None if body is None else json.dumps(body).encode())
        request.add_header("Accept", "application/json")
        if body is not None:
            request.add_header("Content-Type", "application/json")
        if self.token and not path.startswith("/token"):
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status, headers, raw = response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            status, headers, raw = error.code, dict(error.headers), error.read()
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            return Answer(None, error=f"no answer ({reason})")
        try:
            return Answer(status, json.loads(raw) if raw else None, headers=headers)
        except ValueError:
            return Answer(status, error="a body that is not JSON", headers=headers)


def with_error(answer: Answer, error: str) -> Answer:
    return Answer(answer.status, answer.body, error, answer.headers)


def expect(answer: Answer, status: int, expected: str, kind: type = dict):
    if answer.status != status or answer.error or not isinstance(answer.body, kind):
        raise StepFailed(expected, answer)
    return answer.body


def expect_result(answer: Answer, result_code: str, version: int | None) -> int:
    """A 200 update answer with this resultCode (and version, unless None); its version."""
    wanted = f"200 {result_code}" + ("" if version is None else f" with version {version}")
    body = expect(answer, 200, wanted)
    if body.get("resultCode") != result_code or type(body.get("version")) is not int or (
            version is not None and body["version"] != version):
        raise StepFailed(wanted, answer)
    return body["version"]


def expect_error(answer: Answer, status: int, code: str) -> dict:
    body = expect(answer, status, f"{status} {code} in the error envelope")
    if body.get("code") != code or body.get("statusCode") != status:
        raise StepFailed(f"{status} {code} in the error envelope", answer)
    return body


def report_lines(checker: Checker, base_url: str) -> list[str]:
    """The human report: one line a step, then the closing count."""
    lines = [f"Voke ESM conformance check: {base_url} (plant {checker.plant_id or '?'})"]
    for step in checker.steps:
        mark = {True: "ok  ", False: "FAIL", None: "skip"}[step.ok]
        status = "" if step.status is None else str(step.status)
        ms = "" if step.ms is None else f"{step.ms:.0f} ms"
        line = f"  {mark}  {step.name:<38} {status:>4} {ms:>8}"
        if step.ok is False:
            line += f"  expected {step.expected}; got {step.got}"
        lines.append(line.rstrip())
    counts = [sum(step.ok is value for step in checker.steps) for value in (True, False, None)]
    lines.append(f"check: {counts[0]} ok, {counts[1]} failed, {counts[2]} not run")
    return lines
