"""Idle period documents: kept in memory only, checked by their content, never written to disk.

Django's default handlers spill uploads larger than FILE_UPLOAD_MAX_MEMORY_SIZE
(2.5 MB) to a temporary file. The idle period view replaces the handlers for its
request with ``MemoryOnlyUploadHandler`` alone: it buffers at most
``MAX_DOCUMENT_BYTES`` in memory and skips (drops) anything larger, so no
handler that writes to disk is ever asked. The bytes go to the API and are
discarded with the request.

Before any of this, ``portal.bodylimits`` answers a visitor who is not signed in
without reading the body, and refuses a body announced larger than
``MAX_REQUEST_BODY_BYTES`` (6 MB: one document and the form) unread. The form
then opens the document (``portal.lib.filetypes.check_document``) before it is sent.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import PurePath
from typing import Any

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf", "image/heic": "heic"}


def safe_filename(name: str, content_type: str) -> str:
    """The uploaded name without any path, shortened, with the extension that matches the content."""
    stem = PurePath(name.replace("\\", "/")).stem or "document"
    stem = "".join(ch for ch in stem if ch.isalnum() or ch in "-_ .")[:80].strip() or "document"
    return f"{stem}.{EXTENSIONS[content_type]}"


class MemoryOnlyUploadHandler(FileUploadHandler):
    """Buffers each file in memory up to ``max_bytes``; a larger file is skipped and flagged."""

    def __init__(self, request: HttpRequest | None = None, max_bytes: int = MAX_DOCUMENT_BYTES) -> None:
        super().__init__(request)
        self.max_bytes = max_bytes
        self.too_large: set[str] = set()
        self._buffer: BytesIO | None = None
        self._size = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self._buffer = BytesIO()
        self._size = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self._size += len(raw_data)
        if self._size > self.max_bytes:
            self.too_large.add(self.field_name)
            self._buffer = None
            raise SkipFile()  # the parser reads past the rest of this file without keeping it
        if self._buffer is not None:
            self._buffer.write(raw_data)
        return None  # no later handler sees the data

    def file_complete(self, file_size: int) -> InMemoryUploadedFile | None:
        if self._buffer is None:
            return None
        self._buffer.seek(0)
        return InMemoryUploadedFile(
            file=self._buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
