"""The studio's colours as CSS custom properties, inlined in each page.

Inline, so that the portal's one stylesheet is the only render-blocking request;
allowed by the Content-Security-Policy through the hash of exactly this text
(no 'unsafe-inline').
"""

from __future__ import annotations

import base64
import hashlib
import re

from portal.models import Studio, ink_on_white, readable_text_colour

DEFAULT_BRAND = "#0a7d5a"


def theme_css(studio: Studio) -> str:
    # The model validates the colour; checked again because it is written into CSS verbatim.
    brand = studio.brand_colour if re.fullmatch(r"#[0-9a-fA-F]{6}", studio.brand_colour or "") else DEFAULT_BRAND
    return f":root{{--brand:{brand};--brand-text:{readable_text_colour(brand)};--brand-ink:{ink_on_white(brand)};}}"


def csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"
