"""Test data made through the same services every entry point uses."""

from __future__ import annotations

from dataclasses import dataclass

from voke_esm.services import organizations, plants, sandbox

TOKEN_URL = "/api/v1/voke-esm/trading/token"
BLOCK = {"from": "00:00", "to": "23:59", "pBatMax": 50, "pBatMin": -50, "socMax": 90,
         "socMin": 20}


def assert_envelope(response, status: int, code: str) -> dict:
    """The contract's JSON error envelope with this status and code; never an HTML page."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.json
    assert isinstance(body, dict) and body["statusCode"] == status and body["code"] == code
    assert isinstance(body["error"], str) and isinstance(body["message"], str) and body["message"]
    assert "<html" not in response.get_data(as_text=True).lower()
    return body


@dataclass
class Enabled:
    org_id: str
    slug: str
    client_id: str
    client_secret: str
    esm_api_url: str


class Sandbox:
    def __init__(self, app):
        self.app = app
        self.client = app.test_client()

    def org(self, slug: str = "acme", name: str | None = None) -> str:
        with self.app.app_context():
            org = organizations.create_organization({"name": name or slug.title(), "slug": slug})
            return str(org.id)

    def enabled(self, slug: str = "acme") -> Enabled:
        """An organization with the sandbox enabled (and its default PLANT-001)."""
        with self.app.app_context():
            try:
                org = organizations.get_organization_by_slug(slug)
            except Exception:  # noqa: BLE001
                org = organizations.create_organization({"name": slug.title(), "slug": slug})
            issued = sandbox.enable(org)
            return Enabled(str(org.id), slug, issued.client_id, issued.client_secret,
                           issued.esm_api_url)

    def plant(self, client_id: str, external_id: str, **fields) -> str:
        with self.app.app_context():
            plant = plants.create_plant({"clientId": client_id, "externalPlantId": external_id,
                                         "name": fields.pop("name", external_id), **fields},
                                        source="admin")
            return str(plant.id)

    def token(self, enabled: Enabled) -> str:
        response = self.client.post(TOKEN_URL, json={"clientId": enabled.client_id,
                                                     "clientSecret": enabled.client_secret})
        assert response.status_code == 200, response.json
        return response.json["accessToken"]

    def headers(self, enabled: Enabled) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(enabled)}"}
