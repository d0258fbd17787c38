"""The WSGI apps `make bench` serves beside `wsgi:app`, with the same gunicorn flags.

`baseline`: the ten-line bare Flask app every figure is divided by; it answers the same body
as `GET plant/config` for the demo plant. `journal_off`: the sandbox without its journal.
"""

from flask import Flask

BODY = {"plantId": "PLANT-002", "version": 1, "configEnabled": True, "esiState": "PLC_READY",
        "timeConfigs": [
            {"from": "00:00", "to": "07:00", "pBatMax": 10, "pBatMin": -10, "socMax": 95,
             "socMin": 20},
            {"from": "07:00", "to": "23:59", "pBatMax": 50, "pBatMin": -50, "socMax": 90,
             "socMin": 30}]}

baseline = Flask("baseline")
baseline.get("/api/v1/voke-esm/trading/plant/config")(lambda: BODY)


def __getattr__(name: str):
    if name == "journal_off":  # built on demand: the baseline's workers never import voke_esm
        from voke_esm import create_app

        return create_app(VOKE_ESM_JOURNAL=False)
    raise AttributeError(name)
