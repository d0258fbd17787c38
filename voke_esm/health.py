"""A liveness and database check for load balancers and the image's HEALTHCHECK."""

import sqlalchemy as sa
from flask import Blueprint

from .extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    db.session.execute(sa.text("SELECT 1"))
    return {"status": "ok"}
