"""Seven languages, chosen per studio: every page renders in each, and a studio's visitors see only its own."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

LANGUAGES = [code for code, _name in settings.LANGUAGES]
PAGES = [
    "/s/demo/",
    "/s/demo/trial/",
    "/s/demo/classes/",
    "/s/demo/appointments/",
    "/s/demo/voucher/",
    "/s/demo/cancel/",
    "/s/demo/account/",
]


def page_language(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode())[1]


def switch(response) -> list[str]:
    return re.findall(r'hreflang="([^"]+)"', response.content.decode())


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_renders_in_every_language(demo_studio, language):
    visitor = Client()
    for path in PAGES:
        response = visitor.get(f"{path}?lang={language}")
        assert response.status_code == 200, (path, language)
        assert page_language(response) == language, path
        assert response["Content-Language"] == language


def test_the_demo_offers_all_seven(client, demo_studio):
    assert switch(client.get("/s/demo/")) == LANGUAGES


def test_a_studio_offers_only_its_own_languages(demo_studio):
    demo_studio.languages = ["de", "en"]
    demo_studio.save()
    page = Client(HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9,en;q=0.8").get("/s/demo/")
    assert page_language(page) == "en"  # French is not enabled: the browser's next choice
    assert switch(page) == ["de", "en"]
    assert page_language(Client().get("/s/demo/?lang=pl")) == "de"  # not enabled: the studio's default
    assert page_language(Client(HTTP_ACCEPT_LANGUAGE="pl").get("/s/demo/")) == "de"


def test_the_default_language_must_be_enabled(admin_client, demo_studio):
    from portal.admin_forms import StudioAdminForm

    form = StudioAdminForm(instance=demo_studio)
    data = {name: form.initial.get(name) for name in form.fields if form.initial.get(name) is not None}
    data.update(languages=["en", "fr"], default_language="de")
    bound = StudioAdminForm(data=data, instance=demo_studio)
    assert not bound.is_valid()
    assert "default_language" in bound.errors
