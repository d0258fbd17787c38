"""WSGI entry point: `gunicorn wsgi:app`."""

import sys

from voke_esm import ConfigError, create_app

try:
    app = create_app()
except ConfigError as error:
    print(f"voke-esm: {error}", file=sys.stderr)
    sys.exit(2)
