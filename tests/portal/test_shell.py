"""The shared page shell: messages, studio navigation, static assets."""

from __future__ import annotations

from django.conf import settings
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.template.loader import render_to_string

from portal.context_processors import portal


def test_messages_are_announced(rf, db):
    request = rf.get("/")
    html = render_to_string(
        "base.html",
        {"messages": [Message(constants.SUCCESS, "Booked."), Message(constants.ERROR, "Full.")]},
        request=request,
    )
    assert '<p class="message message-success" role="status">Booked.</p>' in html
    assert '<p class="message message-error" role="alert">Full.</p>' in html


def test_studio_nav_marks_the_current_area(rf, demo_studio):
    request = rf.get("/s/demo/classes/?day=2026-11-23")
    request.studio = demo_studio
    nav = {item.url: item.current for item in portal(request)["studio_nav"]}
    assert nav == {
        "/s/demo/trial/": False,
        "/s/demo/classes/": True,
        "/s/demo/appointments/": False,
        "/s/demo/account/": False,
    }


def test_pages_without_a_studio_have_no_studio_nav(client, db):
    html = client.get("/?lang=en").content.decode()
    assert 'class="studio-nav"' not in html
    assert "Cancel contracts here" not in html


def test_static_assets_stay_small():
    """What travels is compressed (whitenoise serves gzip and brotli): budget the gzip size."""
    import gzip

    static = settings.BASE_DIR / "static" / "portal"

    def gzipped(name: str) -> int:
        return len(gzip.compress((static / name).read_bytes(), compresslevel=9))

    assert gzipped("portal.css") < 10 * 1024
    assert gzipped("portal.js") + gzipped("frame.js") < 4 * 1024
    assert (static / "favicon.svg").stat().st_size < 1024


def test_css_and_js_request_nothing_from_other_hosts():
    static = settings.BASE_DIR / "static" / "portal"
    for name in ("portal.css", "portal.js"):
        text = (static / name).read_text()
        assert "@import" not in text and "url(" not in text and "http" not in text, name
