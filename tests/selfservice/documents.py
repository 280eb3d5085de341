"""Real, small documents of each accepted type, made in the test (the portal opens every document it sends)."""

from __future__ import annotations

from io import BytesIO

from PIL import Image
from pypdf import PdfWriter


def pdf(*, padding: int = 0, password: str | None = None) -> bytes:
    """A one-page PDF; ``padding`` bytes of an embedded file make it as large as needed."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if padding:
        writer.add_attachment("scan.bin", b"0" * padding)
    if password is not None:
        writer.encrypt(user_password=password, owner_password="owner")
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def image(kind: str, size: tuple[int, int] = (60, 40)) -> bytes:
    """A decodable image, ``kind`` "PNG", "JPEG" or "WEBP"."""
    out = BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, kind)
    return out.getvalue()


def _box(kind: bytes, payload: bytes) -> bytes:
    return (8 + len(payload)).to_bytes(4, "big") + kind + payload


def heic() -> bytes:
    """The container of a HEIC photo: ftyp, meta and mdat boxes (Pillow cannot decode HEIC itself)."""
    return _box(b"ftyp", b"heic\x00\x00\x00\x00mif1heic") + _box(b"meta", b"\x00" * 24) + _box(b"mdat", b"\x01" * 64)
