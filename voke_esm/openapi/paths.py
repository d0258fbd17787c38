"""The OpenAPI operations: every route under /api/, its parameters, bodies and answers."""

from __future__ import annotations

from .schemas import PLANT_CREATE, ref

TRADING = "Trading (what Voke calls)"
ADMIN = "Admin (SuperAdmin)"
AUTH = "Authentication"
META = "Meta"

HEADER_TEXT = {"schema": {"type": "string"}}
HEADER_NUMBER = {"schema": {"type": "string", "pattern": "^[0-9]+$"}}


def json_content(schema: dict, example: object = None) -> dict:
    media = {"schema": schema}
    if example is not None:
        media["example"] = example
    return {"application/json": media}


def answer(description: str, schema: dict | None = None, headers: dict | None = None,
           example: object = None) -> dict:
    response = {"description": description}
    if schema is not None:
        response["content"] = json_content(schema, example)
    if headers:
        response["headers"] = headers
    return response


def error(description: str, headers: dict | None = None) -> dict:
    return answer(description, ref("Error"), headers)


def required(header: dict) -> dict:
    return {**header, "required": True}


RATE_LIMIT_HEADERS = {"X-RateLimit-Limit": HEADER_NUMBER, "X-RateLimit-Remaining": HEADER_NUMBER,
                      "X-RateLimit-Reset": HEADER_NUMBER}
RESPONSES = {
    "BadRequest": error("Malformed input (BAD_REQUEST, INVALID_UUID) or invalid fields "
                        "(VALIDATION_ERROR with details)"),
    "Unauthorized": error("No, malformed or rejected credentials",
                          {"WWW-Authenticate": required(HEADER_TEXT)}),
    "Forbidden": error("Not a loopback caller (trading), not a SuperAdmin "
                       "(SUPER_ADMIN_REQUIRED), or a cookie without CSRF token"),
    "NotFound": error("Unknown resource, or one that belongs to another client"),
    "Conflict": error("Duplicate, or a state that does not allow this"),
    "PayloadTooLarge": error("Body over 1 MiB"),
    "UnsupportedMediaType": error("Content-Type is not application/json"),
    "TooManyRequests": error("Over the rate limit", {
        "Retry-After": required(HEADER_NUMBER), **RATE_LIMIT_HEADERS}),
    "ServiceUnavailable": error("The trading API is switched off (VOKE_ESM_ENABLED=false)"),
}
SECURITY_SCHEMES = {
    "esmBearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                  "description": "accessToken from POST /api/v1/voke-esm/trading/token"},
    "esmClientBasic": {"type": "http", "scheme": "basic",
                       "description": "client_secret_basic (RFC 6749 §2.3.1): clientId and "
                                      "clientSecret, each form-urlencoded"},
    "esmClientCredentials": {"type": "oauth2", "flows": {"clientCredentials": {
        "tokenUrl": "/api/v1/voke-esm/trading/token", "scopes": {}}}},
    "adminBearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                    "description": "accessToken from POST /api/v1/auth/login (a SuperAdmin). "
                                   "The admin UI's session cookie with its CSRF token works "
                                   "too."},
}


def refs(*names: str) -> dict:
    codes = {"BadRequest": "400", "Unauthorized": "401", "Forbidden": "403", "NotFound": "404",
             "Conflict": "409", "PayloadTooLarge": "413", "UnsupportedMediaType": "415",
             "TooManyRequests": "429", "ServiceUnavailable": "503"}
    return {codes[name]: {"$ref": f"#/components/responses/{name}"} for name in names}


def operation(tag: str, operation_id: str, summary: str, responses: dict, *,
              security: list | None = None, parameters: list | None = None,
              body: dict | None = None, description: str | None = None) -> dict:
    op = {"tags": [tag], "operationId": operation_id, "summary": summary}
    if description:
        op["description"] = description
    if security is not None:
        op["security"] = security
    if parameters:
        op["parameters"] = parameters
    if body is not None:
        op["requestBody"] = {"required": True, "content": body}
    op["responses"] = responses
    return op


def query(name: str, schema: dict, description: str, is_required: bool = False,
          example: object = None) -> dict:
    parameter = {"name": name, "in": "query", "required": is_required, "schema": schema,
                 "description": description}
    if example is not None:
        parameter["example"] = example
    return parameter


def path_id(name: str, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "string", "format": "uuid"},
            "example": "3f1c9a52-6a8e-4d0f-9f7e-2b8f0c6f1d10"}


ESM = [{"esmBearer": []}]
SUPER_ADMIN = [{"adminBearer": []}]
TRADING_ERRORS = ("Unauthorized", "Forbidden", "TooManyRequests", "ServiceUnavailable")
ADMIN_ERRORS = ("Unauthorized", "Forbidden")
BODY_ERRORS = ("BadRequest", "PayloadTooLarge", "UnsupportedMediaType")
ORG_ID = query("orgId", {"type": "string"}, "The organization's UUID", True,
               "3f1c9a52-6a8e-4d0f-9f7e-2b8f0c6f1d10")
PAGE = query("page", {"type": "integer", "minimum": 1}, "Page number, from 1")


def limit(default: int, maximum: int) -> dict:
    return query("limit", {"type": "integer", "minimum": 1, "maximum": maximum,
                           "default": default}, f"Items per page, 1 to {maximum}")


def trading_paths() -> dict:
    either = {"oneOf": [ref("Error"), ref("OAuthError")]}
    token_body = {**json_content(ref("TokenRequest")),
                  "application/x-www-form-urlencoded": {
                      "schema": ref("ClientCredentialsRequest")}}
    no_store = {"Cache-Control": required(HEADER_TEXT), "Pragma": HEADER_TEXT,
                **RATE_LIMIT_HEADERS}
    return {
        "/api/v1/voke-esm/trading/token": {"post": operation(
            TRADING, "tradingToken", "Exchange client credentials for an access token", {
                "200": answer("A token: the §2 shape for JSON, RFC 6749 §5.1 for a form",
                              {"oneOf": [ref("Token"), ref("OAuthToken")]}, no_store),
                "400": answer("VALIDATION_ERROR (JSON) or invalid_request / "
                              "unsupported_grant_type (form)", either),
                "401": answer("Wrong or unknown credentials: UNAUTHORIZED (JSON) or "
                              "invalid_client (form, WWW-Authenticate: Basic after Basic)",
                              either, {"WWW-Authenticate": HEADER_TEXT}),
                **refs("Forbidden", "PayloadTooLarge", "UnsupportedMediaType",
                       "TooManyRequests", "ServiceUnavailable"),
            }, security=[{}, {"esmClientBasic": []}], body=token_body,
            description="JSON `{clientId, clientSecret}` (CONTRACT §2), or an RFC 6749 §4.4 "
                        "form request authenticated by HTTP Basic or by client_id and "
                        "client_secret in the form (§7). Loopback callers only.")},
        "/api/v1/voke-esm/trading/plant/list": {"get": operation(
            TRADING, "tradingPlantList", "The calling client's plants, by plantId", {
                "200": answer("The plants", {"type": "array", "items": ref("PlantSummary")},
                              RATE_LIMIT_HEADERS),
                **refs("BadRequest", *TRADING_ERRORS)}, security=ESM)},
        "/api/v1/voke-esm/trading/plant/config": {"get": operation(
            TRADING, "tradingPlantConfig", "A plant's current time config", {
                "200": answer("The config in force", ref("PlantConfig"), RATE_LIMIT_HEADERS),
                **refs("BadRequest", "NotFound", *TRADING_ERRORS)}, security=ESM,
            parameters=[query("plantId", {"type": "string"}, "The plant's externalPlantId",
                              True, "PLANT-001")])},
        "/api/v1/voke-esm/trading/plant/config/update": {"post": operation(
            TRADING, "tradingPlantConfigUpdate", "Push a time config (or validate it)", {
                "200": answer("applied_ok (a new version) or cfg_accepted (dry run)",
                              ref("ConfigUpdateResult"), RATE_LIMIT_HEADERS),
                **refs(*BODY_ERRORS, "NotFound", "Conflict", *TRADING_ERRORS)},
            security=ESM, body=json_content(ref("ConfigUpdateRequest")),
            description="Invalid blocks: 400 with resultCode cfg_rejected. Config disabled: "
                        "409 CONFIG_DISABLED, cfg_disabled. Same request code with other "
                        "blocks: 409 CONFLICT; with the same blocks: the original answer.")},
    }


def admin_paths() -> dict:
    plant_id = path_id("plant_id", "The plant's id (UUID)")
    return {
        "/api/v1/auth/login": {"post": operation(
            AUTH, "login", "A SuperAdmin's bearer token for the admin API", {
                "200": answer("A token", ref("Token"),
                              {"Cache-Control": required(HEADER_TEXT)}),
                **refs(*BODY_ERRORS, "Unauthorized", "TooManyRequests")},
            security=[{}], body=json_content(ref("LoginRequest")))},
        "/api/v1/organizations": {
            "get": operation(ADMIN, "listOrganizations", "Organizations, a page at a time", {
                "200": answer("A page", ref("OrganizationPage")),
                **refs("BadRequest", *ADMIN_ERRORS)}, security=SUPER_ADMIN,
                parameters=[PAGE, limit(20, 100)]),
            "post": operation(ADMIN, "createOrganization", "Create an organization", {
                "201": answer("Created", ref("Organization"),
                              {"Location": required(HEADER_TEXT)}),
                **refs(*BODY_ERRORS, "Conflict", *ADMIN_ERRORS)}, security=SUPER_ADMIN,
                body=json_content(ref("OrganizationCreate")))},
        "/api/v1/organizations/{org_id}": {"get": operation(
            ADMIN, "getOrganization", "One organization", {
                "200": answer("The organization", ref("Organization")),
                **refs("BadRequest", "NotFound", *ADMIN_ERRORS)}, security=SUPER_ADMIN,
            parameters=[path_id("org_id", "The organization's id (UUID)")])},
        "/api/v1/voke-esm/admin/enable": {"post": operation(
            ADMIN, "enableSandbox", "Enable the sandbox for an organization, or rotate", {
                "201": answer("The credentials, shown this once", ref("Credentials"),
                              {"Cache-Control": required(HEADER_TEXT)}),
                **refs("BadRequest", "NotFound", *ADMIN_ERRORS)}, security=SUPER_ADMIN,
            parameters=[ORG_ID])},
        "/api/v1/voke-esm/admin/disable": {"post": operation(
            ADMIN, "disableSandbox", "Disable: revoke the client and its tokens at once", {
                "200": answer("Disabled", ref("Message")),
                **refs("BadRequest", "NotFound", "Conflict", *ADMIN_ERRORS)},
            security=SUPER_ADMIN, parameters=[ORG_ID])},
        "/api/v1/voke-esm/admin/status": {"get": operation(
            ADMIN, "sandboxStatus", "Whether the sandbox is enabled for an organization", {
                "200": answer("The status", ref("SandboxStatus")),
                **refs("BadRequest", "NotFound", *ADMIN_ERRORS)}, security=SUPER_ADMIN,
            parameters=[ORG_ID])},
        "/api/v1/voke-esm/admin/journal": {"get": operation(
            ADMIN, "requestJournal", "The newest trading calls as received (QA)", {
                "200": answer("Newest first", {"type": "array", "items": ref("JournalEntry")}),
                **refs("BadRequest", *ADMIN_ERRORS)}, security=SUPER_ADMIN,
            parameters=[query("clientId", {"type": "string"}, "Only this client's calls"),
                        PAGE, limit(50, 500)])},
        "/api/v1/voke-esm/admin/plants": {
            "get": operation(ADMIN, "listPlants", "Fake plants, a page at a time", {
                "200": answer("A page of plants", ref("PlantPage")),
                **refs("BadRequest", *ADMIN_ERRORS)}, security=SUPER_ADMIN,
                parameters=[query("clientId", {"type": "string"}, "Only this client's"),
                            query("q", {"type": "string", "maxLength": 200},
                                  "Only plants whose externalPlantId or name contains this"),
                            PAGE, limit(100, 500)]),
            "post": operation(ADMIN, "createPlant", "Create a fake plant", {
                "201": answer("Created", ref("Plant"), {"Location": required(HEADER_TEXT)}),
                **refs(*BODY_ERRORS, "Conflict", *ADMIN_ERRORS)}, security=SUPER_ADMIN,
                body=json_content(ref("PlantCreate"), PLANT_CREATE["example"]))},
        "/api/v1/voke-esm/admin/plants/{plant_id}": {
            "get": operation(ADMIN, "getPlant", "One fake plant", {
                "200": answer("The plant", ref("Plant")),
                **refs("BadRequest", "NotFound", *ADMIN_ERRORS)}, security=SUPER_ADMIN,
                parameters=[plant_id]),
            "patch": operation(ADMIN, "updatePlant", "Change some fields of a fake plant", {
                "200": answer("The plant as changed", ref("Plant")),
                **refs(*BODY_ERRORS, "NotFound", "Conflict", *ADMIN_ERRORS)},
                security=SUPER_ADMIN, parameters=[plant_id],
                body=json_content(ref("PlantUpdate"))),
            "delete": operation(ADMIN, "deletePlant", "Delete a fake plant", {
                "204": answer("Deleted"),
                **refs("BadRequest", "NotFound", *ADMIN_ERRORS)}, security=SUPER_ADMIN,
                parameters=[plant_id])},
    }


def meta_paths() -> dict:
    return {"/api/v1/voke-esm/openapi.json": {"get": operation(
        META, "openapiDocument", "This document", {
            "200": answer("OpenAPI 3.1", {"type": "object"})}, security=[{}])}}
