"""Sign-in for SuperAdmins: the browser session and the API login."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from . import views  # noqa: E402, F401 - registers the routes on bp
