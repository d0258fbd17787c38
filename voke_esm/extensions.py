"""Extensions, created unbound here and bound to the app in create_app."""

import threading
import time

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from limits.storage import MemoryStorage
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
csrf = CSRFProtect()
# Limits are declared where they apply (trading blueprint, sign-in); nothing is limited by
# default. If the shared storage is down, each process keeps counting in memory; requests
# caught in the moment the storage fails are let through rather than answered 500.
limiter = Limiter(key_func=get_remote_address, in_memory_fallback_enabled=True,
                  swallow_errors=True)


class LeanMemoryStorage(MemoryStorage):
    """memory:// as limits implements it, but pruning expired windows at most once a second
    in the calling thread: the original starts a new timer thread on almost every hit, which
    cost a trading call more than everything else the limiter does. Registering under the
    same scheme makes every memory:// limiter in the process use it; counting is unchanged
    (expired entries are ignored by the reads themselves, the pruning only frees memory)."""

    STORAGE_SCHEME = ["memory"]  # noqa: RUF012 - read by the limits storage registry
    PRUNE_INTERVAL = 1.0

    def __init__(self, *args, **kwargs):
        self._next_prune = 0.0
        self._prune_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def _MemoryStorage__schedule_expiry(self) -> None:  # replaces the private hook
        now = time.monotonic()
        if now < self._next_prune or not self._prune_lock.acquire(blocking=False):
            return
        try:
            self._next_prune = now + self.PRUNE_INTERVAL
            self._MemoryStorage__expire_events()
        finally:
            self._prune_lock.release()
