"""Fake plant CRUD, in the admin API's plant shape."""

from __future__ import annotations

from flask import url_for

from ..http import json_body, query_arg
from ..representations import plant_json
from ..services import plants
from .guards import admin_blueprint

bp = admin_blueprint("admin_plants", __name__, "/api/v1/voke-esm/admin/plants")
SOURCE = "admin"


@bp.get("")
def index():
    return [plant_json(plant) for plant in plants.list_plants(query_arg("clientId"))]


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
