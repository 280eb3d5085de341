"""What a file is: its first bytes name a candidate type, and parsing the whole file confirms it.

Names and browser-sent types are not evidence, and neither are the first bytes alone: a file that
starts with ``%PDF-`` and carries HTML after it is no PDF. ``check_document`` and ``check_image``
open PDFs with pypdf and decode images with Pillow. The ``sniff_*`` functions only look at the
head; the sandbox (a stand-in for the API) keeps using them, as the API does.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from io import BytesIO

_HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
HEAD_BYTES = 16  # enough for every signature below

# Decoding needs memory for every pixel: a small file may describe a huge image (a decompression bomb).
# JPEGs are decoded at 1/8 scale (Pillow's draft mode), so they may describe more pixels than the others.
MAX_PIXELS = 25_000_000
MAX_JPEG_PIXELS = 89_000_000  # just below Pillow's own warning threshold
# Bytes after a PDF's last %%EOF that are still ordinary (line ends, padding); anything else is a second file.
_PDF_TRAILER_PADDING = b"\r\n\t\f \x00"

# Why a file was refused (``Checked.problem``).
NOT_ACCEPTED = "type"  # not one of the accepted types by its first bytes
DAMAGED = "damaged"  # claims an accepted type but does not open as one
PASSWORD = "password"  # a PDF that needs a password to open
TOO_MANY_PIXELS = "pixels"  # an image larger than MAX_PIXELS


@dataclass(frozen=True)
class Checked:
    """The confirmed content type, or None and why not."""

    content_type: str | None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.content_type is not None


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
    """An idle period document by its first bytes: JPEG, PNG, PDF or HEIC (what the API accepts)."""
    kind = sniff_content_type(head)
    return kind if kind in DOCUMENT_TYPES else None


def sniff_image_type(head: bytes) -> str | None:
    """A studio logo by its first bytes: PNG, JPEG or WebP (what every browser shows)."""
    kind = sniff_content_type(head)
    return kind if kind in LOGO_TYPES else None


def check_document(data: bytes) -> Checked:
    """An idle period document, opened: a PDF with at least one page, a JPEG or PNG that decodes, or HEIC."""
    return _check(data, sniff_document_type(data[:HEAD_BYTES]))


def check_image(data: bytes) -> Checked:
    """A studio logo, decoded: PNG, JPEG or WebP."""
    return _check(data, sniff_image_type(data[:HEAD_BYTES]))


def _check(data: bytes, kind: str | None) -> Checked:
    if kind is None:
        return Checked(None, NOT_ACCEPTED)
    if kind == "application/pdf":
        problem = _pdf_problem(data)
    elif kind == "image/heic":
        # Pillow cannot decode HEIC without a plug-in: check the container's structure instead.
        problem = "" if _is_heif_container(data) else DAMAGED
    else:
        problem = _image_problem(data, {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}[kind])
    return Checked(None, problem) if problem else Checked(kind)


def _pdf_problem(data: bytes) -> str:
    from pypdf import PasswordType, PdfReader

    end = data.rfind(b"%%EOF")
    if end < 0 or data[end + 5 :].strip(_PDF_TRAILER_PADDING):
        return DAMAGED  # no end, or something else appended after it
    try:
        reader = PdfReader(BytesIO(data), strict=False)
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            return PASSWORD  # readable only with a password the studio does not have
        if len(reader.pages) < 1:
            return DAMAGED
        reader.pages[0].mediabox  # noqa: B018  (the first page's object must resolve)
    except Exception:  # noqa: BLE001  (pypdf raises many kinds on malformed input: all mean "not a PDF")
        return DAMAGED
    return ""


def _image_problem(data: bytes, pillow_format: str) -> str:
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own limits below decide
            with Image.open(BytesIO(data), formats=[pillow_format]) as image:
                width, height = image.size
                limit = MAX_JPEG_PIXELS if pillow_format == "JPEG" else MAX_PIXELS
                if width * height > limit:
                    return TOO_MANY_PIXELS
                image.verify()  # structure and checksums
            with Image.open(BytesIO(data), formats=[pillow_format]) as image:
                if pillow_format == "JPEG":
                    image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                image.load()  # every pixel decodes
    except Image.DecompressionBombError:
        return TOO_MANY_PIXELS
    except Exception:  # noqa: BLE001  (Pillow raises OSError, ValueError, SyntaxError... on malformed input)
        return DAMAGED
    return ""


def _is_heif_container(data: bytes) -> bool:
    """The top-level ISO-BMFF boxes tile the whole file, the first is ``ftyp`` and one is ``meta`` (HEIF's index)."""
    offset, kinds = 0, []
    while offset < len(data):
        if len(data) - offset < 8:
            return False
        size, kind, header = int.from_bytes(data[offset : offset + 4], "big"), data[offset + 4 : offset + 8], 8
        if size == 1:  # a 64-bit size follows
            if len(data) - offset < 16:
                return False
            size, header = int.from_bytes(data[offset + 8 : offset + 16], "big"), 16
        elif size == 0:  # the box runs to the end of the file
            size = len(data) - offset
        if size < header or offset + size > len(data) or not all(0x20 <= byte < 0x7F for byte in kind):
            return False
        kinds.append(kind)
        offset += size
    return bool(kinds) and kinds[0] == b"ftyp" and b"meta" in kinds
