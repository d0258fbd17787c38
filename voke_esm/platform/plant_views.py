"""The plant editor (create and edit share one template), the block row, delete."""

from __future__ import annotations

from datetime import date

from flask import Response, flash, render_template, request, url_for

from ..auth.guards import redirect_to
from ..errors import Conflict, ValidationError
from ..extensions import db
from ..models import Organization, Plant
from ..params import search_text
from ..services import applies, clock, organizations, plants, sandbox, simulation
from ..services import revisions as config_history
from ..timeconfig import FIELDS as BLOCK_FIELDS
from . import bp
from .forms import BlockRow, PlantForm
from .fragments import render, render_partial, wants_fragment
from .simulation_chart import timeline_with_simulation

EDITOR = "platform/plant_editor.html"


def organization_of(plant: Plant) -> Organization:
    return organizations.organization_of_client(plant.client_id)


def client_of(organization: Organization) -> str:
    """The org's clientId; plants need an organization that was enabled at least once."""
    client_id = sandbox.status(organization)["clientId"]
    if client_id is None:
        raise Conflict(f"Enable Voke ESM for {organization.name} before adding plants")
    return client_id


def editor_context(organization: Organization, plant: Plant | None, form: PlantForm,
                   saved: bool = False, day: date | None = None,
                   day_error: str | None = None) -> dict:
    revisions = plants.revisions_of(plant, limit=8) if plant else []
    now = clock.now_for(plant.client_id) if plant else None
    timeline = chart = None
    if plant:
        timeline, chart = timeline_with_simulation(
            plant.time_configs, simulation.simulate_plant(plant, day))
    return {"organization": organization, "plant": plant, "form": form, "saved": saved,
            "timeline": timeline, "chart": chart, "day_error": day_error,
            "revisions": [(revision, applies.due_in_seconds(revision, now))
                          for revision in revisions],
            "versions": config_history.applied_versions(plant) if plant else []}


def requested_day() -> tuple[date | None, str | None]:
    """The simulated day the editor shows (`?date=`), or today with a message when unreadable."""
    try:
        return simulation.parse_day(request.args.get("date") or None), None
    except ValidationError:
        return None, "Pick a day as YYYY-MM-DD between 1970 and 9998; showing today."


@bp.get("/voke-esm/<org_id>/plants/new")
def new_plant(org_id: str):
    organization = organizations.get_organization(org_id)
    client_of(organization)
    return render(EDITOR, "editor", **editor_context(organization, None, PlantForm.blank()))


@bp.post("/voke-esm/<org_id>/plants")
def create_plant(org_id: str):
    organization = organizations.get_organization(org_id)
    client_id = client_of(organization)
    form = PlantForm.submitted(request.form)
    try:
        plant = plants.create_plant(form.body(client_id), source="ui")
    except (ValidationError, Conflict) as error:
        form.add_error(error)
        return render(EDITOR, "editor", 422, **editor_context(organization, None, form))
    flash(f"Plant {plant.external_plant_id} created — config version {plant.config_version}.",
          "success")
    return redirect_to(url_for(".edit_plant", plant_id=plant.id))


@bp.get("/plants/<plant_id>")
def edit_plant(plant_id: str):
    plant = plants.get_plant(plant_id)
    day, day_error = requested_day()
    return render(EDITOR, "editor", **editor_context(
        organization_of(plant), plant, PlantForm.of(plant), day=day, day_error=day_error))


@bp.post("/plants/<plant_id>")
def save_plant(plant_id: str):
    plant = plants.get_plant(plant_id)
    form = PlantForm.submitted(request.form)
    try:
        plants.update_plant(plant, form.body(), source="ui")
    except (ValidationError, Conflict) as error:
        db.session.rollback()  # nothing half-applied reaches the re-rendered page
        form.add_error(error)
        return render(EDITOR, "editor", 422,
                      **editor_context(organization_of(plant), plant, form))
    if wants_fragment():
        return render(EDITOR, "editor", **editor_context(
            organization_of(plant), plant, PlantForm.of(plant), saved=True))
    flash(f"Saved — config version {plant.config_version}", "success")
    return redirect_to(url_for(".edit_plant", plant_id=plant.id))


@bp.delete("/plants/<plant_id>")
def delete_plant(plant_id: str):
    search = search_text()  # read before the delete: a bad one must change nothing
    plant = plants.get_plant(plant_id)
    label, client_id = plant.external_plant_id, plant.client_id
    organization = organization_of(plant)
    plants.delete_plant(plant)
    flash(f"Plant {label} deleted.", "success")
    if wants_fragment():
        from .sandbox_views import plant_page_of  # (sandbox_views imports this module)

        listing = plant_page_of(client_id, search, 1)
        return render_partial("platform/_plant_deleted.html", plant_search=search,
                              plants=listing["items"], plant_listing=listing,
                              socs=simulation.current_soc(listing["items"]),
                              organization=organization,
                              plant_count=plants.count_plants(client_id))
    return redirect_to(url_for(".sandbox_page", org=organization.id))


@bp.get("/plants/block-row")
def block_row():
    """An empty time-config row for "Add block"."""
    return render_partial("platform/_block_row.html", row=BlockRow.blank())


@bp.post("/plants/check-rows")
def check_rows():
    """Validate-as-you-type on the block rows: every row's error slots; nothing is stored."""
    form = PlantForm.submitted(request.form)
    form.check_rows()
    html = render_template("platform/_block_row_errors.html", rows=form.rows,
                           block_fields=BLOCK_FIELDS)
    return Response(html, headers={"Cache-Control": "no-store"})
