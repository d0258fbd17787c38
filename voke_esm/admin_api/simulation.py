"""The simulated plant's day (CONTRACT §6.4), for QA scripts."""

from __future__ import annotations

from ..http import query_arg
from ..representations import simulation_json
from ..services import plants, simulation
from .guards import admin_blueprint

bp = admin_blueprint("admin_simulation", __name__, "/api/v1/voke-esm/admin/plants")


@bp.get("/<plant_id>/simulation")
def show(plant_id: str):
    plant = plants.get_plant(plant_id)
    return simulation_json(simulation.simulate_plant(
        plant, simulation.parse_day(query_arg("date"))))
