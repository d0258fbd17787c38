"""Sign-in for SuperAdmins: the browser session and the API login."""

from flask import Blueprint

bp = Blueprint("auth", __name__)
