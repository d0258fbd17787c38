"""Gunicorn settings for `make run` and production; each can be overridden on the command line."""

import os
import sys


def _serve_optimized() -> None:
    """Serve with PYTHONOPTIMIZE=2 (docstrings and asserts left out of the bytecode): 5 MiB
    less in every worker, most of it SQLAlchemy's docstrings (issue 8: at most 70 per worker).
    This file is read before gunicorn opens a socket, so the master starts over, once, as it
    was started but optimized, and its workers are forked from it. Set PYTHONOPTIMIZE (0 to
    keep docstrings) to choose otherwise; `make install` and the image compile the optimized
    bytecode ahead, as PYTHONDONTWRITEBYTECODE keeps workers from caching it."""
    if sys.flags.optimize or "PYTHONOPTIMIZE" in os.environ:
        return
    os.execve(sys.executable, sys.orig_argv,  # noqa: S606 - the same command, started over
              {**os.environ, "PYTHONOPTIMIZE": "2"})


_serve_optimized()
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '4410')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 30
# Gunicorn's default (8190 bytes a header) answers a longer one with its own HTML page; RFC 6749
# clients may send long HTTP Basic credentials, which must get the app's 401 invalid_client.
limit_request_field_size = 32768
graceful_timeout = 10
accesslog = "-"
# No query strings or headers beyond these: nothing secret reaches the access log.
access_log_format = '%(p)s %(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss'
# The control socket defaults to one path per user, which several instances would share.
control_socket_disable = True


def on_starting(server):
    """Several workers counting rate limits in memory would each allow the whole limit: in
    production that refuses to start, elsewhere it warns."""
    storage = os.environ.get("RATELIMIT_STORAGE_URI", "").strip() or "memory://"
    if server.cfg.workers > 1 and storage.startswith("memory://"):
        message = (f"RATELIMIT_STORAGE_URI is memory:// but {server.cfg.workers} workers serve: "
                   "set RATELIMIT_STORAGE_URI=redis://HOST:6379/0 (or WEB_CONCURRENCY=1)")
        if os.environ.get("VOKE_ENV", "").strip().lower() == "production":
            print(f"voke-esm: {message}", file=sys.stderr)
            sys.exit(2)
        server.log.warning(message)


def _limit_malloc_arenas(count: int = 2) -> None:
    """glibc gives each thread its own malloc arena (up to 8 per core), each keeping freed
    memory: with 8 threads a worker grew by 10 MB more than with 2 arenas, for no speed."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").mallopt(-8, count)  # M_ARENA_MAX
    except (OSError, AttributeError):  # not glibc: nothing to tune
        pass


_limit_malloc_arenas()
