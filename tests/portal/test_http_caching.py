"""Every studio page's caching headers: public pages are cacheable by any HTTP cache, nothing personal is.

The pages come from the URL configuration itself, so a page added later is checked too.
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.bookings.conftest import customer_id, signed_in

# The anonymous pages the same for every visitor (portal.pagecache.public_page).
PUBLIC = {
    "studio-home",
    "trialoffers:offers",
    "trialoffers:class",
    "trialoffers:appointment",
    "trialoffers:voucher",
    "bookings-schedule",
    "bookings-occupancy",
    "bookings-appointments",
    "bookings-appointment",
    "selfservice:online-cancelation",
}
# Pages that set a policy of their own: the logo (public, an hour) and the private calendar feed.
OWN_POLICY = {"studio-logo": "public, max-age=3600", "bookings-feed": "private, max-age=900"}
VARY = {"Accept-Language", "Cookie", "HX-Request", "HX-Target", "HX-History-Restore-Request"}


def studio_routes() -> list[tuple[str, str]]:
    """(route name, pattern) of every page below /s/<slug>/ (the sandbox's own API is not a page)."""
    found: list[tuple[str, str]] = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                space = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, prefix + str(entry.pattern), space)
            elif isinstance(entry, URLPattern) and entry.name:
                route = prefix + str(entry.pattern)
                if route.startswith("s/<slug:slug>/"):
                    found.append((namespace + entry.name, route))

    walk(get_resolver().url_patterns, "", "")
    return found


def sample_path(route: str, ids: dict[str, int]) -> str:
    """The route with the demo's ids filled in (unknown ids and tokens still make a request worth checking)."""

    def fill(match: re.Match) -> str:
        converter, name = match.group(1), match.group(2)
        if name == "slug":
            return "demo"
        if converter == "uuid":
            return str(uuid.uuid4())
        if converter in ("id", "int"):
            return str(ids.get(name, 1))
        return "not-a-token"

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", fill, route)


@pytest.fixture
def demo_ids(client, demo_studio) -> dict[str, int]:
    trial = client.get("/s/demo/trial/").content.decode()
    types = client.get("/s/demo/appointments/").content.decode()
    return {
        "offer_id": int(re.search(r"/s/demo/trial/class/(\d+)/", trial)[1]),
        "type_id": int(re.search(r"/s/demo/appointments/(\d+)/", types)[1]),
    }


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def test_every_studio_page_is_public_or_private_never_in_between(client, demo_studio, demo_client, demo_ids, settings):
    # Kept pages keep their ETag: a render a second later differs (the time-stamped form tokens in it).
    settings.PUBLIC_PAGE_CACHE = True
    member = signed_in(demo_studio, customer_id(demo_client, "mia@example.com"))
    checked = set()
    for name, route in studio_routes():
        path = sample_path(route if "appointment/" not in route else route.replace("offer_id", "type_id"), demo_ids)
        if name == "trialoffers:appointment":
            offer = re.search(r"/s/demo/trial/appointment/(\d+)/", client.get("/s/demo/trial/").content.decode())
            path = f"/s/demo/trial/appointment/{offer[1]}/"
        for who, browser in (("visitor", client), ("member", member)):
            response = browser.get(path)
            control = cache_control(response)
            if name in OWN_POLICY:
                if response.status_code == 200:
                    assert response["Cache-Control"] == OWN_POLICY[name], (name, who)
                continue
            if name in PUBLIC and who == "visitor":
                assert response.status_code == 200, (name, path, response.status_code)
                assert {"public", "max-age=0"} <= control, (name, control)
                assert any(part.startswith("s-maxage=") for part in control), name
                assert any(part.startswith("stale-while-revalidate=") for part in control), name
                assert any(part.startswith("stale-if-error=") for part in control), name
                assert {part.strip() for part in response["Vary"].split(",")} == VARY, name
                assert re.fullmatch(r'"[0-9a-f]{32}"', response["ETag"]), name
                assert "csrftoken" not in response.cookies and not response.cookies, name
                assert "X-CSRFToken" not in response.content.decode(), name
                revalidated = client.get(path, HTTP_IF_NONE_MATCH=response["ETag"])
                assert revalidated.status_code == 304 and revalidated.content == b"", name
                assert revalidated["ETag"] == response["ETag"]
            else:
                # Personal data, CSRF or form tokens, cookies, errors: no cache may keep it.
                assert {"private", "no-store"} <= control and "public" not in control, (name, who, control)
            checked.add(name)
    assert checked >= PUBLIC
    assert len(checked) >= 30  # every page of the portal, not a sample


def test_a_page_that_sets_a_cookie_is_private(client, demo_studio):
    response = client.get("/s/demo/classes/?lang=en")  # the language switch stores the choice
    assert "django_language" in response.cookies
    assert {"private", "no-store"} <= cache_control(response)
    again = client.get("/s/demo/classes/?lang=en")  # the cookie says it already: nothing to set
    assert not again.cookies and "public" in cache_control(again)


def test_a_visitor_with_a_message_waiting_gets_a_private_page(demo_studio):
    visitor = Client()
    visitor.cookies["messages"] = "anything"
    response = visitor.get("/s/demo/classes/")
    assert {"private", "no-store"} <= cache_control(response) and "ETag" not in response
