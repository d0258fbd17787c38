"""Extensions, created unbound here and bound to the app in create_app."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
# Limits are declared where they apply (trading blueprint, sign-in); nothing is limited by
# default. If the shared storage is down, each process keeps counting in memory; requests
# caught in the moment the storage fails are let through rather than answered 500.
limiter = Limiter(key_func=get_remote_address, in_memory_fallback_enabled=True,
                  swallow_errors=True)
