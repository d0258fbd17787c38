"""Helpers for the admin UI tests: accounts, a signed-in client, reading htmx answers."""

from __future__ import annotations

import re

from voke_esm.services import accounts

PASSWORD = "correct horse battery staple"
HX = {"HX-Request": "true"}


def make_user(app, email: str = "admin@example.com", superadmin: bool = True) -> str:
    with app.app_context():
        return accounts.create_user(email, PASSWORD, superadmin=superadmin).email


def sign_in(client, email: str, password: str = PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def admin_client(app, email: str = "admin@example.com"):
    """A test client signed in as a (new) SuperAdmin."""
    make_user(app, email)
    client = app.test_client()
    response = sign_in(client, email)
    assert response.status_code == 303, response.data
    return client


def block_form(*blocks: tuple, **fields) -> dict:
    """A plant editor post: plant fields plus rows (from, to, pBatMax, pBatMin, socMax, socMin)."""
    data = {"externalPlantId": "SITE-A", "name": "Site A", "description": "",
            "fvePeakPowerKwp": "120", "capacityKwh": "200", "esiState": "PLC_READY",
            "configEnabled": "true", **fields}
    for index, name in enumerate(("from", "to", "pBatMax", "pBatMin", "socMax", "socMin")):
        data[f"tc-{name}"] = [str(block[index]) for block in blocks]
    return data


def text(response) -> str:
    return response.get_data(as_text=True)


def input_errors(html: str, row_field: str) -> list[list[str]]:
    """Per row, the error messages under the block input named `tc-<row_field>`."""
    rows = re.findall(r'<tr class="block-row".*?</tr>', html, re.S)
    found = []
    for row in rows:
        cell = re.search(rf'name="tc-{row_field}".*?</td>', row, re.S).group(0)
        found.append(re.findall(r"<li>(.*?)</li>", cell))
    return found
