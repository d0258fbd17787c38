"""The htmx admin UI under /platform."""

from flask import Blueprint

bp = Blueprint("platform", __name__, url_prefix="/platform")
