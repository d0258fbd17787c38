"""Form posts turned into the JSON bodies the services take, and service errors put back on the
exact field (and row) they are about. No rule lives here: the services validate."""

from __future__ import annotations

import re
import secrets
from collections import defaultdict
from dataclasses import dataclass, field

from werkzeug.datastructures import MultiDict

from ..errors import DomainError, ValidationError
from ..models import Plant
from ..timeconfig import FIELDS as BLOCK_FIELDS
from ..timeconfig import NUMBER_FIELDS as BLOCK_NUMBERS
from ..timeconfig import default_time_configs, validate_time_configs

PLANT_TEXT = ("externalPlantId", "name", "description", "esiState")
PLANT_NUMBERS = ("fvePeakPowerKwp", "capacityKwh")
# Sent only when the form has them, so a form without them leaves the plant's as they are.
DEVICE_FIELDS = ("applyDelaySeconds", "applyOutcome")
PLANT_FLAGS = ("configEnabled", "plantWithLoad")
ROW_INPUT = "tc-{}"  # the name of a block input: every row repeats the same six names
ROW_KEY = re.compile(r"[0-9a-f]{8}")  # a row's id prefix, kept across requests (tc-key)
BLOCK_PATH = re.compile(r"timeConfigs\[(\d+)\]")


def to_number(text: str) -> int | float | str:
    """'12' -> 12, '1.5' -> 1.5; anything else stays text, which the validator then rejects."""
    cleaned = text.strip()
    for parse in (int, float):
        try:
            return parse(cleaned)
        except ValueError:
            continue
    return text


def show_number(value: object) -> str:
    """A stored number as a person types it: 50.0 -> '50', 12.5 -> '12.5'."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def for_people(message: str) -> str:
    """The validator's `timeConfigs[0]` is row 1 on screen."""
    return BLOCK_PATH.sub(lambda match: f"block {int(match[1]) + 1}", message)


class Errors(defaultdict):
    """Messages per field name; `form` collects those that belong to no shown field."""

    def __init__(self):
        super().__init__(list)
        self.form: list[str] = []

    def place(self, details: list[str], shown: tuple[str, ...]) -> None:
        for line in details:
            name, _, message = line.partition(": ")
            if name in shown:
                self[name].append(for_people(message))
            elif not name.startswith("timeConfigs"):
                self.form.append(for_people(line))

    def __bool__(self) -> bool:
        return any(self.values()) or bool(self.form)


@dataclass
class BlockRow:
    """One time-config row as typed, with its own errors."""

    values: dict[str, str]
    key: str = field(default_factory=lambda: secrets.token_hex(4))

    @staticmethod
    def key_or_new(posted: str) -> str:
        return posted if ROW_KEY.fullmatch(posted) else secrets.token_hex(4)
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    problems: list[str] = field(default_factory=list)

    @classmethod
    def blank(cls) -> BlockRow:
        return cls(dict.fromkeys(BLOCK_FIELDS, ""))

    @classmethod
    def of(cls, block: dict) -> BlockRow:
        return cls({name: show_number(block.get(name, "")) for name in BLOCK_FIELDS})

    def block(self) -> dict:
        return {name: to_number(self.values[name]) if name in BLOCK_NUMBERS
                else self.values[name].strip() for name in BLOCK_FIELDS}


@dataclass
class PlantForm:
    """The plant editor's state: what the person typed and where each error goes."""

    values: dict[str, str | bool]
    rows: list[BlockRow]
    errors: Errors = field(default_factory=Errors)
    block_errors: list[str] = field(default_factory=list)

    @classmethod
    def blank(cls) -> PlantForm:
        values = {**dict.fromkeys(PLANT_TEXT, ""), "esiState": "PLC_READY",
                  "fvePeakPowerKwp": "0", "capacityKwh": "0", "applyDelaySeconds": "0",
                  "applyOutcome": "applied",
                  "configEnabled": True, "plantWithLoad": False}
        return cls(values, [BlockRow.of(block) for block in default_time_configs()])

    @classmethod
    def of(cls, plant: Plant) -> PlantForm:
        values = {"externalPlantId": plant.external_plant_id, "name": plant.name,
                  "description": plant.description or "", "esiState": plant.esi_state,
                  "fvePeakPowerKwp": show_number(plant.fve_peak_power_kwp),
                  "capacityKwh": show_number(plant.capacity_kwh),
                  "applyDelaySeconds": show_number(plant.apply_delay_seconds),
                  "applyOutcome": plant.apply_outcome,
                  "configEnabled": plant.config_enabled, "plantWithLoad": plant.plant_with_load}
        return cls(values, [BlockRow.of(block) for block in plant.time_configs])

    @classmethod
    def submitted(cls, form: MultiDict) -> PlantForm:
        """The posted form, rows in the order typed: "block 2" in an error is the second row."""
        values: dict[str, str | bool] = {name: form.get(name, "")
                                         for name in PLANT_TEXT + PLANT_NUMBERS}
        values.update({name: name in form for name in PLANT_FLAGS})
        values.update({name: form[name] for name in DEVICE_FIELDS if name in form})
        columns = [form.getlist(ROW_INPUT.format(name)) for name in BLOCK_FIELDS]
        count = max((len(column) for column in columns), default=0)
        keys = form.getlist(ROW_INPUT.format("key"))
        rows = [BlockRow({name: column[i] if i < len(column) else ""
                          for name, column in zip(BLOCK_FIELDS, columns, strict=True)},
                         BlockRow.key_or_new(keys[i] if i < len(keys) else ""))
                for i in range(count)]
        return cls(values, rows)

    def body(self, client_id: str | None = None) -> dict:
        """The admin API's plant body (camelCase, numbers as numbers); blocks are saved in order
        of their start time, the rows stay as typed (errors are placed on them by index)."""
        values = self.values
        body = {"externalPlantId": str(values["externalPlantId"]).strip(),
                "name": str(values["name"]).strip(),
                "description": str(values["description"]).strip() or None,
                "esiState": str(values["esiState"]).strip(),
                **{name: to_number(str(values[name])) for name in PLANT_NUMBERS},
                **{name: bool(values[name]) for name in PLANT_FLAGS},
                "timeConfigs": sorted((row.block() for row in self.rows),
                                      key=lambda block: str(block["from"]))}
        if "applyDelaySeconds" in values:
            body["applyDelaySeconds"] = to_number(str(values["applyDelaySeconds"]))
        if "applyOutcome" in values:
            body["applyOutcome"] = str(values["applyOutcome"]).strip()
        if client_id is not None:
            body = {"clientId": client_id, **body}
        return body

    def add_error(self, error: DomainError) -> None:
        """Put a service's refusal next to the field, and the block problems on their row."""
        if isinstance(error, ValidationError):
            self.errors.place(error.details or [],
                              PLANT_TEXT + PLANT_NUMBERS + PLANT_FLAGS + DEVICE_FIELDS)
            for problem in validate_time_configs([row.block() for row in self.rows]):
                self._place_block_problem(problem.index, problem.field, problem.message)
        elif error.code == "CONFLICT":
            self.errors["externalPlantId"].append(error.message)
        else:
            self.errors.form.append(error.message)

    def check_rows(self) -> None:
        """Validate-as-you-type: THE block validator on the rows as typed. A field still empty
        is not reported yet (the save does), so a row being filled in is not all red. A list
        that is wrong as a whole (too many rows) is refused, not drawn row by row."""
        problems = validate_time_configs([row.block() for row in self.rows])
        whole = [problem.detail() for problem in problems if problem.index is None]
        if whole:
            raise ValidationError(whole, message=for_people("; ".join(whole)))
        for problem in problems:
            if self.rows[problem.index].values.get(problem.field) == "":
                continue
            self._place_block_problem(problem.index, problem.field, problem.message)

    def _place_block_problem(self, index: int | None, name: str | None, message: str) -> None:
        message = for_people(message)
        if index is None:
            self.block_errors.append(message)
        elif name in BLOCK_FIELDS:
            self.rows[index].errors[name].append(message)
        else:
            self.rows[index].problems.append(f"{name}: {message}" if name else message)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or bool(self.block_errors) or any(
            any(row.errors.values()) or row.problems for row in self.rows)


@dataclass
class OrganizationForm:
    values: dict[str, str] = field(
        default_factory=lambda: {"name": "", "slug": "", "description": ""})
    errors: Errors = field(default_factory=Errors)

    @classmethod
    def submitted(cls, form: MultiDict) -> OrganizationForm:
        return cls({name: form.get(name, "") for name in ("name", "slug", "description")})

    def body(self) -> dict:
        return {"name": self.values["name"].strip(), "slug": self.values["slug"].strip(),
                "description": self.values["description"].strip() or None}

    def add_error(self, error: DomainError) -> None:
        if isinstance(error, ValidationError):
            self.errors.place(error.details or [], ("name", "slug", "description"))
        elif error.code == "CONFLICT":
            self.errors["slug"].append(error.message)
        else:
            self.errors.form.append(error.message)
