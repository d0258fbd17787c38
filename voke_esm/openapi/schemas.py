"""The OpenAPI components: the wire shapes of CONTRACT.md, one schema per shape."""

from __future__ import annotations

from ..errors import STATUS_OF

HH_MM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
NUMBER = {"type": "number"}
STRING = {"type": "string"}
NULLABLE_STRING = {"type": ["string", "null"]}
DATE_TIME = {"type": "string", "format": "date-time"}
UUID = {"type": "string", "format": "uuid"}
WHOLE = {"type": "string", "pattern": "^[0-9]+$"}

BLOCK_EXAMPLE = {"from": "00:00", "to": "23:59", "pBatMax": 50, "pBatMin": -50, "socMax": 90,
                 "socMin": 20}
PRODUCT_PAGE_BLOCKS = [
    {"from": "00:00", "to": "07:00", "pBatMax": 10, "pBatMin": -10, "socMax": 95, "socMin": 20},
    {"from": "07:00", "to": "23:59", "pBatMax": 50, "pBatMin": -50, "socMax": 90, "socMin": 30},
]


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict, required: tuple[str, ...] = (), closed: bool = False,
        **extra) -> dict:
    schema = {"type": "object", "properties": properties, **extra}
    if required:
        schema["required"] = list(required)
    if closed:
        schema["additionalProperties"] = False
    return schema


def _every(schema: dict) -> tuple[str, ...]:
    return tuple(schema["properties"])


TIME_CONFIG_BLOCK = obj({
    "from": {"type": "string", "pattern": HH_MM, "description": "Start, HH:MM, inclusive"},
    "to": {"type": "string", "pattern": HH_MM, "description": "End, HH:MM, inclusive; > from"},
    "pBatMax": {"type": "number", "minimum": 0, "description": "Max charge power, kW"},
    "pBatMin": {"type": "number", "maximum": 0, "description": "Max discharge power, kW"},
    "socMax": {"type": "number", "minimum": 0, "maximum": 100, "description": "%"},
    "socMin": {"type": "number", "minimum": 0, "maximum": 100, "description": "%, <= socMax"},
}, ("from", "to", "pBatMax", "pBatMin", "socMax", "socMin"), closed=True,
    example=BLOCK_EXAMPLE)
TIME_CONFIGS = {"type": "array", "items": ref("TimeConfigBlock"), "minItems": 1, "maxItems": 96,
                "description": "Blocks may touch but not overlap; returned as stored."}

ERROR = obj({
    "statusCode": {"type": "integer"},
    "error": STRING,
    "code": {"type": "string", "enum": list(dict.fromkeys([
        *STATUS_OF, "METHOD_NOT_ALLOWED", "BAD_GATEWAY", "GATEWAY_TIMEOUT"]))},
    "message": STRING,
    "details": {"type": "array", "items": STRING,
                "description": "One `field.path: message` line per problem"},
    "resultCode": {"type": "string", "enum": ["cfg_rejected", "cfg_disabled"],
                   "description": "Only on plant/config/update"},
}, ("statusCode", "error", "code", "message"), description="The error envelope (CONTRACT §1)",
    example={"statusCode": 400, "error": "Bad Request", "code": "VALIDATION_ERROR",
             "message": "Validation error",
             "details": ["timeConfigs[1].socMin: must be <= socMax"]})

OAUTH_ERROR = obj({
    "error": {"type": "string", "enum": ["invalid_request", "invalid_client",
                                         "unsupported_grant_type"]},
    "error_description": STRING,
}, ("error", "error_description"), closed=True, description="RFC 6749 §5.2 error")

PLANT = obj({
    "id": UUID, "clientId": STRING, "externalPlantId": STRING, "name": STRING,
    "description": NULLABLE_STRING, "fvePeakPowerKwp": NUMBER, "capacityKwh": NUMBER,
    "configEnabled": {"type": "boolean"}, "plantWithLoad": {"type": "boolean"},
    "esiState": STRING, "timeConfigs": {"type": "array", "items": ref("TimeConfigBlock")},
    "version": {"type": "integer"}, "applyDelaySeconds": {"type": "integer", "minimum": 0},
    "applyOutcome": {"type": "string", "enum": ["applied", "failed"]},
    "createdAt": DATE_TIME, "updatedAt": DATE_TIME,
})
PLANT["required"] = list(_every(PLANT))

PLANT_FIELDS = {
    "clientId": {"type": "string", "minLength": 1, "maxLength": 120},
    "externalPlantId": {"type": "string", "minLength": 1, "maxLength": 64,
                        "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]*$"},
    "name": {"type": "string", "minLength": 1, "maxLength": 100},
    "description": {"type": ["string", "null"], "maxLength": 2000},
    "fvePeakPowerKwp": {"type": "number", "minimum": 0},
    "capacityKwh": {"type": "number", "minimum": 0},
    "configEnabled": {"type": "boolean"}, "plantWithLoad": {"type": "boolean"},
    "esiState": {"type": "string", "pattern": "^[A-Z0-9_]+$", "maxLength": 32},
    "timeConfigs": TIME_CONFIGS,
    "applyDelaySeconds": {"type": "integer", "minimum": 0, "maximum": 86400,
                          "description": "A slow device: updates apply this long after "
                                         "(CONTRACT §6.3)"},
    "applyOutcome": {"type": "string", "enum": ["applied", "failed"],
                     "description": "failed: a delayed update never applies"},
}
PLANT_CREATE = obj(PLANT_FIELDS, ("clientId", "externalPlantId", "name"), closed=True,
                   example={"clientId": "acme-client-id", "externalPlantId": "PLANT-001",
                            "name": "Acme Site A", "description": "Battery storage + PV",
                            "fvePeakPowerKwp": 120.0, "capacityKwh": 200.0,
                            "configEnabled": True, "timeConfigs": PRODUCT_PAGE_BLOCKS})
PLANT_UPDATE = obj({k: v for k, v in PLANT_FIELDS.items() if k != "clientId"}, closed=True,
                   description="Partial: only the fields sent change; new timeConfigs are a "
                               "new config version", example={"timeConfigs": [BLOCK_EXAMPLE]})

PLANT_SUMMARY = obj({
    "plantId": STRING, "name": STRING, "descr": NULLABLE_STRING, "fvePeakPowerKwp": NUMBER,
    "capacityKwh": NUMBER, "esiState": STRING, "configEnabled": {"type": "boolean"},
    "plantWithLoad": {"type": "boolean"}, "meters": {"type": "array", "maxItems": 0},
}, example={"plantId": "PLANT-001", "name": "Acme Site A", "descr": "Battery storage + PV",
            "fvePeakPowerKwp": 120.0, "capacityKwh": 200.0, "esiState": "PLC_READY",
            "configEnabled": True, "plantWithLoad": False, "meters": []})
PLANT_SUMMARY["required"] = list(_every(PLANT_SUMMARY))

PLANT_CONFIG = obj({
    "plantId": STRING, "version": {"type": "integer"}, "configEnabled": {"type": "boolean"},
    "esiState": STRING, "timeConfigs": {"type": "array", "items": ref("TimeConfigBlock")},
}, ("plantId", "version", "configEnabled", "esiState", "timeConfigs"),
    example={"plantId": "PLANT-001", "version": 1, "configEnabled": True,
             "esiState": "PLC_READY", "timeConfigs": PRODUCT_PAGE_BLOCKS})

CONFIG_UPDATE = obj({
    "plantId": {"type": "string", "minLength": 1, "maxLength": 64},
    "configUpdateReqCode": {"type": "string", "minLength": 1, "maxLength": 128,
                            "description": "Idempotency key: printable characters"},
    "validateOnly": {"type": "boolean", "default": False},
    "timeConfigs": TIME_CONFIGS,
}, ("plantId", "configUpdateReqCode", "timeConfigs"),
    example={"plantId": "PLANT-001", "configUpdateReqCode": "req-abc123",
             "validateOnly": False, "timeConfigs": [BLOCK_EXAMPLE]})
CONFIG_UPDATE_RESULT = obj({
    "resultCode": {"type": "string", "enum": ["applied_ok", "cfg_accepted"]},
    "plantId": STRING, "configUpdateReqCode": STRING, "version": {"type": "integer"},
}, ("resultCode", "plantId", "configUpdateReqCode", "version"),
    example={"resultCode": "applied_ok", "plantId": "PLANT-001",
             "configUpdateReqCode": "req-abc123", "version": 2})

TOKEN_REQUEST = obj({"clientId": {"type": "string", "minLength": 1, "maxLength": 120},
                     "clientSecret": {"type": "string", "minLength": 1, "maxLength": 512}},
                    ("clientId", "clientSecret"),
                    example={"clientId": "voke-esm-acme-1a2b3c4d", "clientSecret": "vesm_..."})
TOKEN = obj({"accessToken": STRING, "tokenType": {"const": "Bearer"},
             "expiresIn": {"type": "integer"}}, ("accessToken", "tokenType", "expiresIn"),
            example={"accessToken": "<JWT signed with iss: 'voke-esm'>", "tokenType": "Bearer",
                     "expiresIn": 3600})
CLIENT_CREDENTIALS_REQUEST = obj({
    "grant_type": {"const": "client_credentials"},
    "client_id": {"type": "string", "description": "client_secret_post only"},
    "client_secret": {"type": "string", "description": "client_secret_post only"},
    "scope": {"type": "string", "description": "Accepted and ignored"},
}, ("grant_type",), description="RFC 6749 §4.4; the client authenticates with HTTP Basic "
                                "(client_secret_basic) or with client_id and client_secret",
    example={"grant_type": "client_credentials"})
OAUTH_TOKEN = obj({"access_token": STRING, "token_type": {"const": "Bearer"},
                   "expires_in": {"type": "integer"}},
                  ("access_token", "token_type", "expires_in"), closed=True)
LOGIN_REQUEST = obj({"email": {"type": "string", "maxLength": 254},
                     "password": {"type": "string", "maxLength": 1024}},
                    ("email", "password"),
                    example={"email": "admin@voke.test", "password": "correct horse"})

ORGANIZATION = obj({"id": UUID, "name": STRING, "slug": STRING, "description": NULLABLE_STRING,
                    "createdAt": DATE_TIME, "updatedAt": DATE_TIME},
                   ("id", "name", "slug", "description", "createdAt", "updatedAt"))
ORGANIZATION_CREATE = obj({
    "name": {"type": "string", "minLength": 2, "maxLength": 100},
    "slug": {"type": "string", "minLength": 2, "maxLength": 50,
             "pattern": "^[a-z0-9]+(?:-[a-z0-9]+)*$"},
    "description": {"type": ["string", "null"], "maxLength": 500},
}, ("name", "slug"), example={"name": "Acme", "slug": "acme"})
PAGE_META = obj({"page": {"type": "integer", "minimum": 1},
                 "limit": {"type": "integer", "minimum": 1},
                 "total": {"type": "integer", "minimum": 0},
                 "totalPages": {"type": "integer", "minimum": 0}},
                ("page", "limit", "total", "totalPages"))


def page_of(item: str) -> dict:
    return obj({"data": {"type": "array", "items": ref(item)}, "meta": ref("PageMeta")},
               ("data", "meta"))


CREDENTIALS = obj({"clientId": STRING, "clientSecret": STRING, "esmApiUrl": STRING},
                  ("clientId", "clientSecret", "esmApiUrl"),
                  description="Returned by enable only: the secret cannot be read back later")
SANDBOX_STATUS = obj({
    "orgId": UUID, "enabled": {"type": "boolean"},
    "status": {"type": "string", "enum": ["ENABLED", "DISABLED", "NOT_CONFIGURED"]},
    "clientId": NULLABLE_STRING, "esmApiUrl": NULLABLE_STRING,
    "plantCount": {"type": "integer"}, "enabledAt": {"type": ["string", "null"]},
    "hasEsmCredentials": {"type": "boolean"},
    "credentials": {"type": "string", "enum": ["present", "none", "unreadable"],
                    "description": "Voke's stored copy; unreadable when no key of the ring "
                                   "opens it"},
}, ("orgId", "enabled", "status", "clientId", "esmApiUrl", "plantCount", "enabledAt",
    "hasEsmCredentials", "credentials"))
MESSAGE = obj({"message": STRING}, ("message",),
              example={"message": "Voke ESM disabled for acme"})
JOURNAL_ENTRY = obj({
    "id": {"type": "integer"}, "at": DATE_TIME, "clientId": NULLABLE_STRING,
    "remoteAddr": STRING, "method": STRING, "path": STRING, "query": NULLABLE_STRING,
    "plantId": NULLABLE_STRING, "configUpdateReqCode": NULLABLE_STRING,
    "requestBody": {"description": "The JSON body as received, secrets redacted"},
    "status": {"type": "integer"}, "outcome": NULLABLE_STRING, "durationMs": NUMBER,
}, ("id", "at", "clientId", "method", "path", "status"))

SCHEMAS = {
    "Error": ERROR, "OAuthError": OAUTH_ERROR, "TimeConfigBlock": TIME_CONFIG_BLOCK,
    "Plant": PLANT, "PlantCreate": PLANT_CREATE, "PlantUpdate": PLANT_UPDATE,
    "PlantSummary": PLANT_SUMMARY, "PlantConfig": PLANT_CONFIG,
    "ConfigUpdateRequest": CONFIG_UPDATE, "ConfigUpdateResult": CONFIG_UPDATE_RESULT,
    "TokenRequest": TOKEN_REQUEST, "Token": TOKEN,
    "ClientCredentialsRequest": CLIENT_CREDENTIALS_REQUEST, "OAuthToken": OAUTH_TOKEN,
    "LoginRequest": LOGIN_REQUEST, "Organization": ORGANIZATION,
    "OrganizationCreate": ORGANIZATION_CREATE, "PageMeta": PAGE_META,
    "OrganizationPage": page_of("Organization"), "PlantPage": page_of("Plant"),
    "Credentials": CREDENTIALS,
    "SandboxStatus": SANDBOX_STATUS, "Message": MESSAGE, "JournalEntry": JOURNAL_ENTRY,
}
