"""Fake plant CRUD, in the admin API's plant shape."""

from __future__ import annotations

from flask import url_for

from ..http import json_body, query_arg
from ..params import page_and_limit, paged_json
from ..representations import plant_json
from ..services import plants
from .guards import admin_blueprint

bp = admin_blueprint("admin_plants", __name__, "/api/v1/voke-esm/admin/plants")
SOURCE = "admin"
DEFAULT_LIMIT = 100
MAX_LIMIT = 500


@bp.get("")
def index():
    """One page of plants (CONTRACT §3: `?clientId=`, `?q=`, `?page=`, `?limit=` <= 500)."""
    page, limit = page_and_limit(default_limit=DEFAULT_LIMIT, max_limit=MAX_LIMIT)
    search = (query_arg("q") or "").strip()
    return paged_json(plants.page_of_plants(query_arg("clientId"), search, page, limit),
                      plant_json)


@bp.post("")
def create():
    plant = plants.create_plant(json_body(), source=SOURCE)
    return plant_json(plant), 201, {"Location": url_for(".show", plant_id=plant.id)}


@bp.get("/<plant_id>")
def show(plant_id: str):
    return plant_json(plants.get_plant(plant_id))


@bp.patch("/<plant_id>")
def update(plant_id: str):
    plant = plants.get_plant(plant_id)
    return plant_json(plants.update_plant(plant, json_body(), source=SOURCE))


@bp.delete("/<plant_id>")
def delete(plant_id: str):
    plants.delete_plant(plants.get_plant(plant_id))
    return "", 204
