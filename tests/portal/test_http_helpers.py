"""The shared view helpers: which template or partial, where a form goes next, and how."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from portal.http import MAX_NEXT_LENGTH, redirect_after, safe_next, template_for


def request(*, htmx: bool = False, target: str | None = None, restore: bool = False):
    headers = {}
    if htmx:
        headers["HTTP_HX_REQUEST"] = "true"
    if target:
        headers["HTTP_HX_TARGET"] = target
    if restore:
        headers["HTTP_HX_HISTORY_RESTORE_REQUEST"] = "true"
    made = RequestFactory().get("/s/demo/classes/", **headers)
    made.htmx = HtmxDetails(made)
    return made


def test_a_plain_request_gets_the_whole_page():
    assert template_for(request(), "page.html", "results") == "page.html"


def test_htmx_gets_the_partial_only_when_it_targets_it():
    assert template_for(request(htmx=True), "page.html", "results") == "page.html#results"
    assert template_for(request(htmx=True, target="results"), "page.html", "results", target="results") == (
        "page.html#results"
    )
    assert template_for(request(htmx=True, target="other"), "page.html", "results", target="results") == "page.html"


def test_a_history_restore_gets_the_whole_page():
    assert template_for(request(htmx=True, restore=True), "page.html", "results") == "page.html"


def test_redirect_after_a_form_is_a_full_page_load_for_htmx():
    plain = redirect_after(request(), "/s/demo/account/")
    assert plain.status_code == 303 and plain["Location"] == "/s/demo/account/"
    swapped = redirect_after(request(htmx=True), "/s/demo/account/")
    assert swapped.status_code == 200 and swapped["HX-Redirect"] == "/s/demo/account/"


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("/s/demo/classes/?day=2026-12-04", True),
        ("/s/other/classes/", False),
        ("//evil.example/s/demo/", False),
        ("https://evil.example/s/demo/", False),
        ("/s/demo/\nSet-Cookie: x", False),
        ("/s/demo/" + "x" * MAX_NEXT_LENGTH, False),
        ("", False),
        (None, False),
    ],
)
def test_only_this_studios_paths_are_return_addresses(value, kept):
    made = request()
    assert safe_next(made, value, studio_slug="demo", default="/s/demo/account/") == (
        value if kept else "/s/demo/account/"
    )
