"""A liveness and database check for load balancers and the image's HEALTHCHECK."""

from flask import Blueprint

from .extensions import db, limiter

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    # A pooled connection, not an ORM session: the check runs often and needs no more.
    with db.engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")
    return {"status": "ok"}
