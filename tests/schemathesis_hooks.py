"""Schemathesis hooks (SCHEMATHESIS_HOOKS=tests.schemathesis_hooks): a trading token for the
trading API, a SuperAdmin token for the admin API, the client's own credentials as HTTP Basic on
the token endpoint (so form requests can succeed), all handed over by the test through the
environment."""

from __future__ import annotations

import base64
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


@schemathesis.auth().apply_to(path=r"/api/v1/voke-esm/trading/token")
class ClientBasic:
    def get(self, case, ctx):
        user_pass = f"{os.environ['VOKE_ESM_SCHEMATHESIS_CLIENT_ID']}:" \
                    f"{os.environ['VOKE_ESM_SCHEMATHESIS_CLIENT_SECRET']}"
        return base64.b64encode(user_pass.encode()).decode()

    def set(self, case, data, ctx):
        case.headers = {**(case.headers or {}), "Authorization": f"Basic {data}"}
