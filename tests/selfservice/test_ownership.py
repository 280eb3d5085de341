"""Every member URL and form, tried with another member's ids: 404, and that id never reaches the API."""

from __future__ import annotations

import uuid

import pytest

from portal.models import Write
from portal.perfectgym.client import PerfectGymClient

ANY_KEY = "0b6a8c1e-3f4d-4e5a-9b7c-2d1e0f9a8b7c"


@pytest.fixture
def upstream_paths(monkeypatch) -> list[str]:
    paths: list[str] = []
    original = PerfectGymClient._call

    def spy(self, operation, method, path, *args, **kwargs):
        paths.append(f"{method} {path}")
        return original(self, operation, method, path, *args, **kwargs)

    monkeypatch.setattr(PerfectGymClient, "_call", spy)
    return paths


@pytest.fixture
def foreign(jonas, lea, tom, demo_client, store):
    """Ids that belong to other members than Mia."""
    lea_periods = demo_client.get_idle_periods(lea.contract_id).current_and_upcoming_idle_periods
    pending_idle = next(p for p in lea_periods if p.state == "PENDING_VERIFICATION")
    tom_amendment = store.all("amendment", customerId=tom.id, status="PENDING")[0]["id"]
    return {
        "contract": jonas.contract_id,
        "lea_contract": lea.contract_id,
        "idle_period": pending_idle.id,
        "amendment": tom_amendment,
    }


def attempts(mia, ids):
    base = "/s/demo/account"
    c, lc, idle, amend = ids["contract"], ids["lea_contract"], ids["idle_period"], ids["amendment"]
    form = {"key": ANY_KEY}
    cancel = {"key": ANY_KEY, "end_date": "2030-01-31", "reason": "1"}
    return [
        ("get", f"{base}/contracts/{c}/cancel/", None),
        ("post", f"{base}/contracts/{c}/cancel/", {**cancel, "step": "review"}),
        ("post", f"{base}/contracts/{c}/cancel/", {**cancel, "step": "confirm"}),
        ("get", f"{base}/contracts/{c}/withdraw-cancelation/", None),
        ("post", f"{base}/contracts/{c}/withdraw-cancelation/", form),
        ("get", f"{base}/contracts/{lc}/idle-periods/", None),
        ("post", f"{base}/contracts/{lc}/idle-periods/", {**form, "start_date": "2030-01-01", "term_value": "1"}),
        ("get", f"{base}/contracts/{lc}/idle-periods/{idle}/withdraw/", None),
        ("post", f"{base}/contracts/{lc}/idle-periods/{idle}/withdraw/", form),
        # Mia's own contract with Lea's idle period: the idle period must belong to that contract.
        ("get", f"{base}/contracts/{mia.contract_id}/idle-periods/{idle}/withdraw/", None),
        ("post", f"{base}/contracts/{mia.contract_id}/idle-periods/{idle}/withdraw/", form),
        ("post", f"{base}/amendments/{amend}/withdraw/", form),
    ]


def test_every_member_url_refuses_another_members_ids(client, sign_in_as, mia, foreign, store, upstream_paths):
    sign_in_as(mia)
    before = {kind: store.all(kind) for kind in ("contract", "idle_period", "amendment")}
    for method, url, data in attempts(mia, foreign):
        upstream_paths.clear()
        response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
        assert response.status_code == 404, (method, url, response.status_code)
        for foreign_id in (foreign["contract"], foreign["lea_contract"], foreign["idle_period"], foreign["amendment"]):
            assert not [p for p in upstream_paths if f"/{foreign_id}/" in p or p.endswith(f"/{foreign_id}")], (
                url,
                upstream_paths,
            )
        assert all(p.startswith("GET ") for p in upstream_paths), (url, upstream_paths)
    assert {kind: store.all(kind) for kind in before} == before  # nothing changed upstream
    assert not Write.objects.exists()


def test_another_members_confirmation_is_404(client, sign_in_as, mia, jonas, demo_studio):
    request = Write.objects.create(
        studio=demo_studio,
        key=uuid.uuid4(),
        actor=f"customer:{jonas.id}",
        action="cancelation_withdrawal",
        state=Write.State.DONE,
        target={"contract_id": jonas.contract_id},
        result={
            "kind": "withdrawal",
            "contract_id": jonas.contract_id,
            "rate_name": "Basic",
            "status": "WITHDRAWN",
            "received_at": "2026-11-20T10:00:00+00:00",
        },
    )
    sign_in_as(jonas)
    assert client.get(f"/s/demo/account/confirmations/{request.key}/").status_code == 200
    sign_in_as(mia)
    assert client.get(f"/s/demo/account/confirmations/{request.key}/").status_code == 404


def test_another_members_idempotency_key_cannot_be_reused(client, sign_in_as, mia, jonas, demo_studio, store):
    """A key of Jonas's earlier request sent with Mia's own contract: neither his outcome nor a write."""
    request = Write.objects.create(
        studio=demo_studio,
        key=uuid.uuid4(),
        actor=f"customer:{jonas.id}",
        action="cancelation",
        state=Write.State.UNKNOWN,
        target={"contract_id": jonas.contract_id},
    )
    sign_in_as(mia)
    page = client.get(f"/s/demo/account/contracts/{mia.contract_id}/cancel/")
    import re

    date = re.search(r'name="end_date" value="([^"]+)"', page.content.decode()).group(1)
    reason = re.findall(r'<option value="(\d+)"', page.content.decode())[0]
    data = {"key": str(request.key), "end_date": date, "reason": reason, "step": "confirm"}
    response = client.post(f"/s/demo/account/contracts/{mia.contract_id}/cancel/", data)
    assert response.status_code == 404
    assert "cancelationStatus" not in store.get("contract", mia.contract_id)


def test_member_urls_need_a_sign_in(client, demo_studio, mia, foreign):
    for method, url, data in attempts(mia, foreign):
        response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
        assert response.status_code in (302, 403), url  # 403: POST without the session's CSRF token
        if response.status_code == 302:
            assert response["Location"].startswith("/s/demo/account/?next=")


def test_another_members_cached_contracts_are_never_hers(client, sign_in_as, mia, jonas):
    # Contracts are cached per member: Jonas's pages, read just before, do not make his contract Mia's.
    sign_in_as(jonas)
    assert client.get(f"/s/demo/account/contracts/{jonas.contract_id}/cancel/").status_code == 200
    sign_in_as(mia)
    assert client.get(f"/s/demo/account/contracts/{jonas.contract_id}/cancel/").status_code == 404
    assert client.get(f"/s/demo/account/contracts/{mia.contract_id}/cancel/").status_code == 200
