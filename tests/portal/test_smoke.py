from __future__ import annotations


def test_studio_home_shows_name_from_api(client, demo_studio):
    response = client.get("/s/demo/?lang=en")
    assert response.status_code == 200
    assert "Demo Fitness Berlin" in response.content.decode()
    assert response["Server-Timing"].startswith("upstream;dur=")
    assert 'desc="2 calls"' in response["Server-Timing"]  # studio information and occupancy, concurrently


def test_healthz(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}
