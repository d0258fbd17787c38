"""Schemathesis hooks (SCHEMATHESIS_HOOKS=tests.schemathesis_hooks): a trading token for the
trading API, a SuperAdmin token for the admin API, both handed over by the test through the
environment."""

from __future__ import annotations

import os

import schemathesis


class _Bearer:
    variable = ""

    def get(self, case, ctx):
        return os.environ[self.variable]

    def set(self, case, data, ctx):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@schemathesis.auth().apply_to(path_regex=r"^/api/v1/voke-esm/trading/plant")
class TradingToken(_Bearer):
    variable = "VOKE_ESM_SCHEMATHESIS_TRADING_TOKEN"


@schemathesis.auth().apply_to(path_regex=r"^/api/v1/(organizations|voke-esm/admin)")
class SuperAdminToken(_Bearer):
    variable = "VOKE_ESM_SCHEMATHESIS_ADMIN_TOKEN"
