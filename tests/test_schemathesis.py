"""Schemathesis fuzzes every documented operation of a live gunicorn, on SQLite and PostgreSQL,
and every answer must conform to the OpenAPI document (issue 10). It prints how many operations
and test cases it ran; any failure fails the suite."""

from __future__ import annotations

import os
import re
import subprocess

from tests.admin_support import make_user, user_token
from tests.live import BIN, ROOT, live_server
from tests.test_trading_guards import direct_token
from voke_esm.openapi import OPENAPI_PATH

CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,"
          "response_schema_conformance,response_headers_conformance")
# Bounded so that both backends together stay well inside CI's time (about a minute each).
MAX_EXAMPLES = os.environ.get("VOKE_ESM_SCHEMATHESIS_EXAMPLES", "25")


def schemathesis_command(base_url: str, report_dir) -> list[str]:
    return [
        str(BIN / "schemathesis"), "run", f"{base_url}{OPENAPI_PATH}", "--url", base_url,
        "--checks", CHECKS, "--max-examples", MAX_EXAMPLES, "--seed", "10",
        # One worker: Hypothesis reads lambdas with `ast`, which is not thread-safe on
        # Python 3.11 ("AST constructor recursion depth mismatch").
        "--workers", "1", "--generation-database", "none", "--no-color",
        "--suppress-health-check", "all", "--report", "junit", "--report-dir", str(report_dir),
        # A fault rule (CONTRACT §6.1) makes the trading calls answer injected 5xx or hang on
        # purpose: the rules' own answers are checked in tests/test_openapi.py instead.
        "--exclude-operation-id", "createFaultRule", "--exclude-operation-id", "applyFaultPreset"]


def test_every_operation_conforms_to_the_document(env, app, sandbox, capsys, tmp_path):
    acme = sandbox.enabled()
    sandbox.plant(acme.client_id, "PLANT-002")
    admin_id = make_user(app, "root@voke.test")
    secrets = {"VOKE_ESM_SCHEMATHESIS_TRADING_TOKEN": direct_token(app, acme.client_id),
               "VOKE_ESM_SCHEMATHESIS_ADMIN_TOKEN": user_token(app, admin_id),
               "VOKE_ESM_SCHEMATHESIS_CLIENT_ID": acme.client_id,
               "VOKE_ESM_SCHEMATHESIS_CLIENT_SECRET": acme.client_secret}
    with live_server(env) as base_url:
        result = subprocess.run(
            schemathesis_command(base_url, tmp_path / "report"),
            env={**os.environ, **secrets, "SCHEMATHESIS_HOOKS": "tests.schemathesis_hooks",
                 "PYTHONPATH": str(ROOT)},
            # Whatever it keeps (.hypothesis, .schemathesis) stays out of the work tree.
            cwd=tmp_path, capture_output=True, text=True, timeout=540)
    output = result.stdout + result.stderr
    summary = [line.strip() for line in output.splitlines()
               if re.match(r"\s*(Selected|Tested): \d+|\s*\d+ generated", line)]
    with capsys.disabled():
        print(f"\nschemathesis on {env['DATABASE_URL'].split(':')[0]}:", *summary, sep="\n  ")
    assert result.returncode == 0, output[-20000:]
    assert any(line.startswith("Tested: ") for line in summary), output[-5000:]
