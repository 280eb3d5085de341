"""What a file is, by its first bytes: names and browser-sent types are not evidence."""

from __future__ import annotations

_HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
HEAD_BYTES = 16  # enough for every signature below


def sniff_content_type(head: bytes) -> str | None:
    """JPEG, PNG, WebP, PDF or HEIC, else None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIC_BRANDS:
        return "image/heic"
    return None


DOCUMENT_TYPES = frozenset({"image/jpeg", "image/png", "application/pdf", "image/heic"})
LOGO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})


def sniff_document_type(head: bytes) -> str | None:
    """An idle period document: JPEG, PNG, PDF or HEIC (what the API accepts)."""
    kind = sniff_content_type(head)
    return kind if kind in DOCUMENT_TYPES else None


def sniff_image_type(head: bytes) -> str | None:
    """A studio logo: PNG, JPEG or WebP (what every browser shows)."""
    kind = sniff_content_type(head)
    return kind if kind in LOGO_TYPES else None
