"""Gunicorn settings for `make run` and production; each can be overridden on the command line."""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '4410')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 30
graceful_timeout = 10
accesslog = "-"
# No query strings or headers beyond these: nothing secret reaches the access log.
access_log_format = '%(p)s %(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss'
# The control socket defaults to one path per user, which several instances would share.
control_socket_disable = True
