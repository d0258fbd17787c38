"""The demo organization Acme: what a first `make run` sets up for a newcomer and for QA."""

from __future__ import annotations

from ..errors import DomainError
from . import organizations, plants, sandbox

DEMO_SLUG = "acme"
DEMO_PLANT = {
    "externalPlantId": "PLANT-002", "name": "Acme Site A", "description": "Battery storage + PV",
    "fvePeakPowerKwp": 120.0, "capacityKwh": 200.0, "configEnabled": True,
    "timeConfigs": [
        {"from": "00:00", "to": "07:00", "pBatMax": 10, "pBatMin": -10, "socMax": 95,
         "socMin": 20},
        {"from": "07:00", "to": "23:59", "pBatMax": 50, "pBatMin": -50, "socMax": 90,
         "socMin": 30},
    ],
}


def demo_exists() -> bool:
    try:
        organizations.get_organization_by_slug(DEMO_SLUG)
    except DomainError:
        return False
    return True


def seed_demo() -> sandbox.Credentials | None:
    """Acme enabled, with PLANT-001 and PLANT-002. Returns the new credentials, or None when
    Acme was already enabled (its secret is kept, not re-issued)."""
    try:
        acme = organizations.get_organization_by_slug(DEMO_SLUG)
    except DomainError:
        acme = organizations.create_organization({"name": "Acme", "slug": DEMO_SLUG})
    issued = None if sandbox.status(acme)["enabled"] else sandbox.enable(acme)
    client_id = acme.esm_client.client_id
    if not any(p.external_plant_id == DEMO_PLANT["externalPlantId"]
               for p in plants.list_plants(client_id)):
        plants.create_plant({**DEMO_PLANT, "clientId": client_id}, source="cli")
    return issued
