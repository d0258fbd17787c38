"""Fault rules (CONTRACT §6.1) and the sandbox reset as operations."""

from __future__ import annotations

from .paths import (
    ADMIN,
    ADMIN_ERRORS,
    BODY_ERRORS,
    ORG_ID,
    SUPER_ADMIN,
    answer,
    json_content,
    operation,
    path_id,
    query,
    refs,
)
from .schemas import DATE_TIME, NULLABLE_STRING, STRING, obj, ref

ENDPOINT = {"type": "string", "enum": ["any", "token", "plant/list", "plant/config",
                                       "plant/config/update"]}
EFFECT = obj({
    "type": {"type": "string", "enum": ["latency", "error", "rate_limited", "invalid_token",
                                        "reject_config", "config_disabled", "lost_answer",
                                        "hang", "malformed_body"]},
    "ms": {"type": "integer"}, "jitterMs": {"type": "integer"},
    "status": {"type": "integer", "enum": [500, 502, 503, 504]},
    "retryAfter": {"type": "integer"}, "seconds": {"type": "number"},
    "details": {"type": "array", "items": STRING},
}, ("type",), description="What the call gets instead (see CONTRACT §6.1 for each type)")
TRIGGER = obj({"mode": {"type": "string", "enum": ["always", "next", "probability"]},
               "count": {"type": "integer", "minimum": 1},
               "p": {"type": "number", "minimum": 0, "maximum": 1}, "seed": {"type": "integer"}},
              ("mode",))
RULE_FIELDS = {"clientId": STRING, "plantId": NULLABLE_STRING, "endpoint": ENDPOINT,
               "effect": ref("FaultEffect"), "trigger": ref("FaultTrigger"),
               "expiresAt": {"type": ["string", "null"], "format": "date-time"},
               "label": NULLABLE_STRING}
RULE_EXAMPLE = {"clientId": "voke-esm-acme-1a2b3c4d", "plantId": None,
                "endpoint": "plant/config/update",
                "effect": {"type": "error", "status": 503, "retryAfter": 30},
                "trigger": {"mode": "probability", "p": 0.2, "seed": 42},
                "expiresAt": None, "label": "flaky partner"}
FAULT_RULE_CREATE = obj(RULE_FIELDS, ("clientId", "effect"), closed=True, example=RULE_EXAMPLE)
FAULT_RULE = obj({"id": {"type": "string", "format": "uuid"}, **RULE_FIELDS,
                  "hits": {"type": "integer", "minimum": 0},
                  "remaining": {"type": ["integer", "null"]}, "createdAt": DATE_TIME},
                 ("id", *RULE_FIELDS, "hits", "remaining", "createdAt"))
FAULT_RULES = obj({"data": {"type": "array", "items": ref("FaultRule")}}, ("data",))
PRESET_REQUEST = obj({"clientId": STRING, "plantId": NULLABLE_STRING}, ("clientId",),
                     closed=True, example={"clientId": "voke-esm-acme-1a2b3c4d"})
COUNT = {"type": "integer", "minimum": 0}
RESET = obj({"message": STRING, "removed": obj(
    {"plants": COUNT, "revisions": COUNT, "journalEntries": COUNT, "faultRules": COUNT},
    ("plants", "revisions", "journalEntries", "faultRules"))}, ("message", "removed"))

SCHEMAS = {"FaultEffect": EFFECT, "FaultTrigger": TRIGGER, "FaultRuleCreate": FAULT_RULE_CREATE,
           "FaultRule": FAULT_RULE, "FaultRules": FAULT_RULES, "FaultPreset": PRESET_REQUEST,
           "ResetResult": RESET}


def fault_paths() -> dict:
    faults = "/api/v1/voke-esm/admin/faults"
    client_id = query("clientId", {"type": "string"}, "The ESM client's clientId")
    return {
        faults: {
            "get": operation(ADMIN, "listFaultRules", "Fault rules, oldest first", {
                "200": answer("The rules", ref("FaultRules")),
                **refs("BadRequest", *ADMIN_ERRORS)}, security=SUPER_ADMIN,
                parameters=[client_id]),
            "post": operation(ADMIN, "createFaultRule", "Add a fault rule for a client", {
                "201": answer("The rule", ref("FaultRule")),
                **refs(*BODY_ERRORS, "NotFound", *ADMIN_ERRORS)}, security=SUPER_ADMIN,
                body=json_content(ref("FaultRuleCreate"), RULE_EXAMPLE),
                description="Voke's trading calls for that client then get the effect: "
                            "injected 500/502/503/504, 429, 401, delays, holds."),
            "delete": operation(ADMIN, "clearFaultRules", "Delete every rule of a client", {
                "204": answer("Deleted"), **refs("BadRequest", "NotFound", *ADMIN_ERRORS)},
                security=SUPER_ADMIN, parameters=[{**client_id, "required": True}])},
        f"{faults}/{{rule_id}}": {"delete": operation(
            ADMIN, "deleteFaultRule", "Delete one fault rule", {
                "204": answer("Deleted"), **refs("BadRequest", "NotFound", *ADMIN_ERRORS)},
            security=SUPER_ADMIN, parameters=[path_id("rule_id", "The rule's id (UUID)")])},
        f"{faults}/presets/{{name}}": {"post": operation(
            ADMIN, "applyFaultPreset", "Add a preset's rules for a client", {
                "201": answer("The rules added", ref("FaultRules")),
                **refs(*BODY_ERRORS, "NotFound", *ADMIN_ERRORS)}, security=SUPER_ADMIN,
            parameters=[{"name": "name", "in": "path", "required": True, "schema": {
                "type": "string", "enum": ["flaky-partner", "slow-partner", "lost-answers",
                                           "rejects-everything", "token-expiry",
                                           "slow-device"]}}],
            body=json_content(ref("FaultPreset")))},
        "/api/v1/voke-esm/admin/reset": {"post": operation(
            ADMIN, "resetSandbox", "Start an organization's sandbox over, keeping its "
                                   "credentials", {
                "200": answer("What was removed", ref("ResetResult")),
                **refs("BadRequest", "NotFound", "Conflict", *ADMIN_ERRORS)},
            security=SUPER_ADMIN, parameters=[ORG_ID])},
    }
