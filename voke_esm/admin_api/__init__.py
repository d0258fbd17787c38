"""JSON admin API for SuperAdmins (CONTRACT.md §3)."""

from flask import Flask


def register_admin_api(app: Flask) -> None:
    """Register the admin API blueprints."""
