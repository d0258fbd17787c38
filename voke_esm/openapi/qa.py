"""The QA controls of CONTRACT §6.2 and §6.4 as operations: the clock and the simulated plant."""

from __future__ import annotations

from .paths import (
    ADMIN,
    ADMIN_ERRORS,
    BODY_ERRORS,
    SUPER_ADMIN,
    answer,
    json_content,
    operation,
    path_id,
    query,
    refs,
)
from .schemas import DATE_TIME, NUMBER, STRING, obj, ref

CLOCK = obj({"clientId": STRING, "offsetSeconds": {"type": "integer", "minimum": 0},
             "now": DATE_TIME, "tokenTtlSeconds": {"type": "integer", "minimum": 1}},
            ("clientId", "offsetSeconds", "now", "tokenTtlSeconds"),
            example={"clientId": "voke-esm-acme-1a2b3c4d", "offsetSeconds": 0,
                     "now": "2025-01-31T14:05:00.000Z", "tokenTtlSeconds": 3600})
CLOCK_CHANGE = obj({
    "clientId": {"type": "string", "minLength": 1, "maxLength": 120},
    "advanceSeconds": {"type": "integer", "minimum": 1},
    "reset": {"const": True},
    "tokenTtlSeconds": {"type": "integer", "minimum": 1},
}, ("clientId",), description="One change: advance (forward only), reset to 0, or a token "
                              "lifetime", example={"clientId": "voke-esm-acme-1a2b3c4d",
                                                   "advanceSeconds": 3600})
NULLABLE_NUMBER = {"type": ["number", "null"]}
STEP = obj({"at": {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]$"},
            "pvKw": NUMBER, "loadKw": NUMBER, "batteryKw": NUMBER, "gridKw": NUMBER,
            "socPct": NULLABLE_NUMBER, "block": {"type": ["integer", "null"], "minimum": 0}},
           ("at", "pvKw", "loadKw", "batteryKw", "gridKw", "socPct", "block"),
           description="kW; positive batteryKw charges, positive gridKw exports; "
                       "pvKw = loadKw + batteryKw + gridKw")
SIMULATION = obj({
    "plantId": STRING, "date": {"type": "string", "format": "date"}, "capacityKwh": NUMBER,
    "steps": {"type": "array", "items": ref("SimulationStep")},
    "now": {"oneOf": [ref("SimulationStep"), {"type": "null"}]},
}, ("plantId", "date", "capacityKwh", "steps", "now"))

SCHEMAS = {"Clock": CLOCK, "ClockChange": CLOCK_CHANGE, "SimulationStep": STEP,
           "Simulation": SIMULATION}


def qa_paths() -> dict:
    client_id = query("clientId", {"type": "string"}, "The ESM client's clientId", True,
                      "voke-esm-acme-1a2b3c4d")
    return {
        "/api/v1/voke-esm/admin/clock": {
            "get": operation(ADMIN, "getClock", "A client's sandbox clock and token lifetime", {
                "200": answer("The clock", ref("Clock")),
                **refs("BadRequest", "NotFound", *ADMIN_ERRORS)}, security=SUPER_ADMIN,
                parameters=[client_id]),
            "post": operation(ADMIN, "changeClock", "Advance or reset a client's clock, or set "
                              "its token lifetime", {
                                  "200": answer("The clock as GET shows it", ref("Clock")),
                                  **refs(*BODY_ERRORS, "NotFound", *ADMIN_ERRORS)},
                              security=SUPER_ADMIN, body=json_content(ref("ClockChange")),
                              description="Tokens are issued and verified on the client's "
                                          "clock: advancing it by an hour expires them.")},
        "/api/v1/voke-esm/admin/plants/{plant_id}/simulation": {"get": operation(
            ADMIN, "simulatePlant", "The simulated plant's day in 15-minute steps", {
                "200": answer("The day under the config in force at each step",
                              ref("Simulation")),
                **refs("BadRequest", "NotFound", *ADMIN_ERRORS)}, security=SUPER_ADMIN,
            parameters=[path_id("plant_id", "The plant's id (UUID)"),
                        query("date", {"type": "string", "format": "date"},
                              "YYYY-MM-DD; default: today on the client's clock")])},
    }
