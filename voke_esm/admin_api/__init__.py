"""JSON admin API for SuperAdmins (CONTRACT.md §3)."""

from flask import Flask

from . import auth, clock, faults, organizations, plants, revisions, sandbox, seeds, simulation


def register_admin_api(app: Flask) -> None:
    """Register the admin API blueprints."""
    for module in (auth, organizations, sandbox, plants, clock, revisions, seeds, faults,
                   simulation):
        app.register_blueprint(module.bp)
