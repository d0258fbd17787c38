"""The JSON shapes of the admin API (CONTRACT.md §3), shared by the admin API and the CLI."""

from __future__ import annotations

from .models import ConfigRevision, FaultRule, JournalEntry, Organization, Plant
from .services.simulation import SimulatedDay
from .simulation import Step


def organization_json(organization: Organization) -> dict:
    return {"id": organization.id, "name": organization.name, "slug": organization.slug,
            "description": organization.description, "createdAt": organization.created_at,
            "updatedAt": organization.updated_at}


def plant_json(plant: Plant) -> dict:
    return {
        "id": plant.id, "clientId": plant.client_id, "externalPlantId": plant.external_plant_id,
        "name": plant.name, "description": plant.description,
        "fvePeakPowerKwp": plant.fve_peak_power_kwp, "capacityKwh": plant.capacity_kwh,
        "configEnabled": plant.config_enabled, "plantWithLoad": plant.plant_with_load,
        "esiState": plant.esi_state, "timeConfigs": plant.time_configs,
        "version": plant.config_version, "applyDelaySeconds": plant.apply_delay_seconds,
        "applyOutcome": plant.apply_outcome, "createdAt": plant.created_at,
        "updatedAt": plant.updated_at,
    }


def revision_json(revision: ConfigRevision) -> dict:
    return {"version": revision.version, "status": revision.status,
            "source": revision.source, "configUpdateReqCode": revision.config_update_req_code,
            "createdAt": revision.created_at, "dueAt": revision.due_at,
            "timeConfigs": revision.time_configs}


def journal_entry_json(entry: JournalEntry) -> dict:
    return {
        "id": entry.id, "at": entry.created_at, "clientId": entry.client_id,
        "remoteAddr": entry.remote_addr, "method": entry.method, "path": entry.path,
        "query": entry.query, "plantId": entry.plant_id,
        "configUpdateReqCode": entry.config_update_req_code, "requestBody": entry.request_body,
        "status": entry.status, "outcome": entry.outcome,
        "durationMs": round(entry.duration_ms, 2), "faults": entry.faults or [],
    }


def fault_rule_json(rule: FaultRule) -> dict:
    return {"id": rule.id, "clientId": rule.client_id, "plantId": rule.plant_id,
            "endpoint": rule.endpoint, "effect": rule.effect, "trigger": rule.trigger,
            "expiresAt": rule.expires_at, "label": rule.label, "hits": rule.hits,
            "remaining": rule.remaining, "createdAt": rule.created_at}


def simulation_json(day: SimulatedDay) -> dict:
    """CONTRACT §6.4: the plant's day in 15-minute steps and the step at the clock's now."""
    return {"plantId": day.plant.external_plant_id, "date": day.day.isoformat(),
            "capacityKwh": day.plant.capacity_kwh,
            "steps": [step_json(step) for step in day.steps],
            "now": step_json(day.now) if day.now else None}


def step_json(step: Step) -> dict:
    return {"at": step.at, "pvKw": step.pv_kw, "loadKw": step.load_kw,
            "batteryKw": step.battery_kw, "gridKw": step.grid_kw, "socPct": step.soc_pct,
            "block": step.block}
