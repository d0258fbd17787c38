"""Log lines with their structured fields appended as key=value."""

from __future__ import annotations

import logging

STRUCTURED_FIELDS = ("plantId", "version", "configUpdateReqCode", "clientId", "address")
# Our own loggers, and the limiter's, whose storage-failure warnings operators must see.
LOGGERS = ("voke_esm", "flask-limiter")


class StructuredFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = [f"{name}={getattr(record, name)!r}" for name in STRUCTURED_FIELDS
                  if hasattr(record, name)]
        return " ".join([line, *extras])


def register_logging(app) -> None:
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET or logger.level > logging.INFO:
            logger.setLevel(logging.INFO)
        if not any(getattr(h, "voke_esm", False) for h in logger.handlers):
            handler = logging.StreamHandler()
            handler.voke_esm = True
            handler.setFormatter(StructuredFormatter(
                "%(asctime)s %(levelname)s %(name)s: %(message)s"))
            logger.addHandler(handler)
