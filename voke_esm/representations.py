"""The JSON shapes of the admin API (CONTRACT.md §3), shared by the admin API and the CLI."""

from __future__ import annotations

from .models import Organization, Plant


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
        "version": plant.config_version, "createdAt": plant.created_at,
        "updatedAt": plant.updated_at,
    }
