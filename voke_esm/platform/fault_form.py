"""The "add a fault rule" form: what was typed, turned into the admin API's rule body, and the
validator's details put back on their input. No rule lives here: fault_rules.py validates."""

from __future__ import annotations

from dataclasses import dataclass, field

from werkzeug.datastructures import MultiDict

from ..errors import ValidationError
from ..fault_rules import EFFECT_FIELDS
from .forms import Errors, to_number

# Input name -> where its value goes in the rule body; effect and trigger inputs are sent only
# when filled in, so the validator names exactly the ones a chosen type needs.
EFFECT_INPUTS = ("status", "retryAfter", "ms", "jitterMs", "seconds")
TRIGGER_INPUTS = ("count", "p", "seed")
TRIGGER_NEEDS = {"next": ("count",), "probability": ("p", "seed")}
TEXT_INPUTS = ("endpoint", "plantId", "label", "effect.type", "trigger.mode", "effect.details")
SHOWN = (*TEXT_INPUTS, *(f"effect.{n}" for n in EFFECT_INPUTS),
         *(f"trigger.{n}" for n in TRIGGER_INPUTS))


@dataclass
class FaultForm:
    values: dict[str, str] = field(default_factory=lambda: {
        **dict.fromkeys(SHOWN, ""), "endpoint": "any", "effect.type": "error",
        "effect.status": "503", "trigger.mode": "always"})
    errors: Errors = field(default_factory=Errors)

    @classmethod
    def submitted(cls, form: MultiDict) -> FaultForm:
        return cls({name: form.get(name, "").strip() for name in SHOWN})

    def body(self, client_id: str) -> dict:
        """The rule as the admin API takes it; numbers typed as numbers."""
        values = self.values
        kind, mode = values["effect.type"], values["trigger.mode"]
        wanted = EFFECT_FIELDS.get(kind, {})  # inputs of other types are left out
        effect: dict = {"type": kind}
        effect.update({name: to_number(values[f"effect.{name}"]) for name in EFFECT_INPUTS
                       if name in wanted and values[f"effect.{name}"]})
        if "details" in wanted and values["effect.details"]:
            effect["details"] = [values["effect.details"]]
        trigger: dict = {"mode": mode}
        trigger.update({name: to_number(values[f"trigger.{name}"])
                        for name in TRIGGER_NEEDS.get(mode, ())})
        return {"clientId": client_id, "endpoint": values["endpoint"],
                "plantId": values["plantId"] or None, "effect": effect, "trigger": trigger,
                "label": values["label"] or None}

    def add_error(self, error: ValidationError) -> None:
        self.errors.place(error.details or [], SHOWN)
