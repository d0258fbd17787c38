"""The "Faults" part of the sandbox page's "Faults & clock" panel: add a rule, apply a preset,
clear one rule or all; every answer is the panel part again (or the page, without htmx)."""

from __future__ import annotations

from flask import flash, request, url_for

from ..auth.guards import redirect_to
from ..errors import NotFound, ValidationError
from ..models import Organization
from ..services import fault_presets, faults, organizations
from . import bp
from .fault_form import FaultForm
from .fragments import render_partial, wants_fragment
from .plant_views import client_of

PART = "platform/_faults.html"


def faults_context(organization: Organization, client_id: str,
                   form: FaultForm | None = None) -> dict:
    """What _faults.html shows; the sandbox page passes the same names."""
    return {"organization": organization, "fault_rules": faults.list_rules(client_id),
            "fault_form": form or FaultForm(), "fault_presets": fault_presets.DESCRIPTIONS}


def _answer(organization: Organization, client_id: str, form: FaultForm | None = None,
            status: int = 200):
    if not wants_fragment():
        return redirect_to(url_for(".sandbox_page", org=organization.id))
    response = render_partial(PART, **faults_context(organization, client_id, form))
    response.status_code = status
    return response


@bp.get("/voke-esm/<org_id>/faults")
def fault_rules(org_id: str):
    organization = organizations.get_organization(org_id)
    return _answer(organization, client_of(organization))


@bp.post("/voke-esm/<org_id>/faults")
def add_fault_rule(org_id: str):
    organization = organizations.get_organization(org_id)
    client_id = client_of(organization)
    form = FaultForm.submitted(request.form)
    try:
        rule = faults.add_rule(form.body(client_id))
    except ValidationError as error:
        form.add_error(error)
        return _answer(organization, client_id, form, 422)
    flash(f"Fault rule added: {rule.effect['type']} on {rule.endpoint}.", "success")
    return _answer(organization, client_id)


@bp.post("/voke-esm/<org_id>/faults/presets/<name>")
def apply_fault_preset(org_id: str, name: str):
    organization = organizations.get_organization(org_id)
    client_id = client_of(organization)
    applied = fault_presets.apply_preset(name, client_id)
    flash(f"Preset “{name.replace('-', ' ')}” is on for {organization.name}. {applied.message}",
          "success")
    return _answer(organization, client_id)


@bp.delete("/voke-esm/<org_id>/faults/<rule_id>")
def delete_fault_rule(org_id: str, rule_id: str):
    organization = organizations.get_organization(org_id)
    client_id = client_of(organization)
    rule = faults.get_rule(rule_id)
    if rule.client_id != client_id:
        raise NotFound("Fault rule not found")
    faults.delete_rule(rule)
    flash("Fault rule deleted.", "success")
    return _answer(organization, client_id)


@bp.delete("/voke-esm/<org_id>/faults")
def clear_fault_rules(org_id: str):
    organization = organizations.get_organization(org_id)
    client_id = client_of(organization)
    flash(f"{faults.clear_rules(client_id)} fault rule(s) deleted; calls go through again.",
          "success")
    return _answer(organization, client_id)
