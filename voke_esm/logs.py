"""Log lines with their structured fields appended as key=value."""

from __future__ import annotations

import logging

STRUCTURED_FIELDS = ("plantId", "version", "configUpdateReqCode", "clientId", "address")
# Our own logger (the rate limiter's storage-failure warnings among its lines).
LEVELS = {"voke_esm": logging.INFO}


class StructuredFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = [f"{name}={getattr(record, name)!r}" for name in STRUCTURED_FIELDS
                  if hasattr(record, name)]
        return " ".join([line, *extras])


def register_logging(app) -> None:
    for name, level in LEVELS.items():
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET or logger.level > level:
            logger.setLevel(level)
        if not any(getattr(h, "voke_esm", False) for h in logger.handlers):
            handler = logging.StreamHandler()
            handler.voke_esm = True
            handler.setFormatter(StructuredFormatter(
                "%(asctime)s %(levelname)s %(name)s: %(message)s"))
            logger.addHandler(handler)
