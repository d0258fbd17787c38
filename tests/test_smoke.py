def test_token_flow(client, sandbox):
    acme = sandbox.enabled()
    response = client.get("/api/v1/voke-esm/trading/plant/list", headers=sandbox.headers(acme))
    assert response.status_code == 200
    assert [p["plantId"] for p in response.json] == ["PLANT-001"]
