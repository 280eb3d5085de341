"""The per-studio theme: brand colours as CSS custom properties that stay readable."""

from __future__ import annotations

import re

import pytest

from portal.models import contrast_ratio

BRAND_COLOURS = ["#ffff00", "#0000ff", "#777777", "#0a7d5a", "#ff0000", "#00ff00", "#ffffff", "#000000", "#e4007c"]


def inline_theme(client, studio) -> str:
    response = client.get(f"/s/{studio.slug}/")
    assert response.status_code == 200
    return re.search(r"<style>(.*?)</style>", response.content.decode(), re.S).group(1)


def theme(client, studio) -> dict[str, str]:
    return dict(re.findall(r"--([a-z-]+):(#[0-9a-fA-F]{6})", inline_theme(client, studio)))


@pytest.mark.parametrize("brand", BRAND_COLOURS)
def test_theme_colours_meet_wcag_aa(client, demo_studio, brand):
    demo_studio.brand_colour = brand
    demo_studio.save()
    values = theme(client, demo_studio)
    assert values["brand"].lower() == brand
    # Header text and buttons on the brand colour.
    assert contrast_ratio(values["brand-text"], values["brand"]) >= 4.5
    # Links and headings in the brand colour on the white page.
    assert contrast_ratio(values["brand-ink"], "#ffffff") >= 4.5


def test_theme_ignores_a_colour_that_is_not_a_colour(client, demo_studio):
    demo_studio.brand_colour = "r;}p{x:"  # 7 characters (the column's size), bypassing validation
    demo_studio.save()
    css = inline_theme(client, demo_studio)
    assert "p{x" not in css
    assert "--brand:#0a7d5a;" in css


def test_inline_theme_is_allowed_by_its_hash_only(client, demo_studio):
    from portal.theme import csp_hash

    response = client.get("/s/demo/")
    css = re.search(r"<style>(.*?)</style>", response.content.decode(), re.S).group(1)
    policy = response["Content-Security-Policy"]
    assert f"style-src 'self' {csp_hash(css)};" in policy
    assert "unsafe-inline" not in policy
    # One stylesheet: the portal's own.
    assert response.content.decode().count('rel="stylesheet"') == 1
