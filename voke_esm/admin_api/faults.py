"""Fault rules (CONTRACT.md §6.1) and the presets built from them."""

from __future__ import annotations

from ..http import json_body, query_arg
from ..representations import fault_rule_json
from ..services import fault_presets, faults
from ..validation import Fields
from .guards import admin_blueprint

bp = admin_blueprint("admin_faults", __name__, "/api/v1/voke-esm/admin/faults")


@bp.get("")
def index():
    return {"data": [fault_rule_json(rule) for rule in faults.list_rules(query_arg("clientId"))]}


@bp.post("")
def create():
    return fault_rule_json(faults.add_rule(json_body())), 201


@bp.delete("/<rule_id>")
def delete(rule_id: str):
    faults.delete_rule(faults.get_rule(rule_id))
    return "", 204


@bp.delete("")
def clear():
    faults.clear_rules(query_arg("clientId", required=True))
    return "", 204


@bp.post("/presets/<name>")
def preset(name: str):
    """Add a preset's rules: {"clientId": ..., "plantId": optional}."""
    fields = Fields(json_body())
    fields.string("clientId", max_len=120)
    fields.string("plantId", max_len=64, default=None, nullable=True)
    fields.reject_unknown({"clientId", "plantId"})
    values = fields.done()
    applied = fault_presets.apply_preset(name, values["clientId"], values["plantId"])
    return {"data": [fault_rule_json(rule) for rule in applied.rules],
            "message": applied.message}, 201
