"""`voke-esm simulate`: a plant's simulated day (CONTRACT §6.4) as a table, CSV or JSON."""

from __future__ import annotations

import csv
import sys

import click
from flask.cli import with_appcontext

from .cli_support import echo_json, one_line_errors
from .representations import simulation_json, step_json
from .services import plants, simulation

COLUMNS = ("at", "pvKw", "loadKw", "batteryKw", "gridKw", "socPct", "block")
HEADINGS = ("time", "PV kW", "load kW", "battery kW", "grid kW", "SoC %", "block")


@click.command("simulate")
@click.option("--plant", "plant_id", required=True, help="The plant's id (as the admin API).")
@click.option("--date", "raw_date", help="YYYY-MM-DD; default: today on the client's clock.")
@click.option("--csv", "as_csv", is_flag=True, help="One CSV row per 15-minute step.")
@click.option("--json", "as_json", is_flag=True, help="The admin API's JSON (§6.4).")
@with_appcontext
@one_line_errors
def simulate_command(plant_id: str, raw_date: str | None, as_csv: bool, as_json: bool) -> None:
    """The plant's day in 15-minute steps: PV, load, battery (+ charges), grid (+ exports), SoC."""
    if as_csv and as_json:
        raise click.UsageError("choose one of --csv and --json")
    day = simulation.simulate_plant(plants.get_plant(plant_id), simulation.parse_day(raw_date))
    if as_json:
        echo_json(simulation_json(day))
    elif as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows([step_json(step)[key] for key in COLUMNS] for step in day.steps)
    else:
        click.echo(f"{day.plant.external_plant_id} on {day.day.isoformat()}, "
                   f"{day.plant.capacity_kwh:g} kWh battery, "
                   f"{day.plant.fve_peak_power_kwp:g} kWp PV"
                   + (f", now {day.now.at}" if day.now else ""))
        click.echo("  ".join(f"{heading:>10}" for heading in HEADINGS))
        for step in day.steps:
            click.echo("  ".join(f"{_cell(step_json(step)[key]):>10}" for key in COLUMNS))


def _cell(value: object) -> str:
    if value is None:
        return "—"
    return f"{value:.3f}" if isinstance(value, float) else str(value)
