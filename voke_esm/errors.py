"""Domain errors and the one place that turns any error into the contract's JSON envelope."""

from __future__ import annotations

from http import HTTPStatus

from flask import Response, jsonify
from werkzeug.exceptions import HTTPException

STATUS_OF = {
    "BAD_REQUEST": 400, "VALIDATION_ERROR": 400, "INVALID_UUID": 400,
    "UNAUTHORIZED": 401, "FORBIDDEN": 403, "SUPER_ADMIN_REQUIRED": 403,
    "NOT_FOUND": 404, "PLANT_NOT_FOUND": 404, "METHOD_NOT_ALLOWED": 405, "CONFLICT": 409,
    "CONFIG_DISABLED": 409, "PAYLOAD_TOO_LARGE": 413, "UNSUPPORTED_MEDIA_TYPE": 415,
    "TOO_MANY_REQUESTS": 429, "INTERNAL_SERVER_ERROR": 500, "BAD_GATEWAY": 502,
    "SERVICE_UNAVAILABLE": 503, "GATEWAY_TIMEOUT": 504,
}
CODE_OF = {
    400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED", 409: "CONFLICT", 413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE", 429: "TOO_MANY_REQUESTS", 500: "INTERNAL_SERVER_ERROR",
    502: "BAD_GATEWAY", 503: "SERVICE_UNAVAILABLE", 504: "GATEWAY_TIMEOUT",
}


class DomainError(Exception):
    """An expected failure with a stable code; services raise it, handlers render it."""

    def __init__(self, code: str, message: str, details: list[str] | None = None,
                 headers: dict[str, str] | None = None, **extra):
        super().__init__(message)
        self.code = code
        self.status = STATUS_OF[code]
        self.message = message
        self.details = details
        self.headers = headers or {}
        self.extra = extra


class ValidationError(DomainError):
    def __init__(self, details: list[str], message: str = "Validation error", **extra):
        super().__init__("VALIDATION_ERROR", message, details=details, **extra)


class NotFound(DomainError):
    def __init__(self, message: str = "Not found", code: str = "NOT_FOUND"):
        super().__init__(code, message)


class Conflict(DomainError):
    def __init__(self, message: str, **extra):
        super().__init__("CONFLICT", message, **extra)


INVALID_TOKEN_CHALLENGE = 'Bearer error="invalid_token"'  # noqa: S105 - RFC 6750, no secret
INVALID_REQUEST_CHALLENGE = 'Bearer error="invalid_request"'  # RFC 6750 §3.1


class Unauthorized(DomainError):
    def __init__(self, message: str = "Unauthorized", challenge: str = "Bearer"):
        super().__init__("UNAUTHORIZED", message, headers={"WWW-Authenticate": challenge})


def envelope(status: int, code: str, message: str, details: list[str] | None = None,
             headers: dict[str, str] | None = None, **extra) -> Response:
    body = {"statusCode": status, "error": HTTPStatus(status).phrase, "code": code,
            "message": message}
    if details:
        body["details"] = details
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.headers.update(headers or {})
    return response


def domain_error_response(error: DomainError) -> Response:
    return envelope(error.status, error.code, error.message, error.details, error.headers,
                    **error.extra)


def http_error_response(error: HTTPException) -> Response:
    """Werkzeug's errors (unknown route, wrong method, too large...) in the envelope."""
    status = error.code or 500
    code = CODE_OF.get(status, "BAD_REQUEST" if status < 500 else "INTERNAL_SERVER_ERROR")
    headers = {key: value for key, value in error.get_headers() if key.lower() != "content-type"}
    if "Allow" in headers:  # the API answers OPTIONS with this 405 too: it is not allowed
        headers["Allow"] = ", ".join(method for method in headers["Allow"].split(", ")
                                     if method != "OPTIONS")
    message = {404: "Route not found", 405: "Method not allowed",
               413: "Request body is larger than 1 MiB"}.get(status, HTTPStatus(status).phrase)
    return envelope(status, code, message, headers=headers)
