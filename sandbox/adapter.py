"""A requests transport that answers from the sandbox in-process (no sockets).

The client code is the same for the sandbox and a real tenant: only the
session's adapter differs. The request goes through the same ``dispatch`` as
the HTTP endpoint, built with Django's RequestFactory so multipart bodies are
parsed exactly as they would be over the wire.
"""

from __future__ import annotations

from collections.abc import Mapping
from io import BytesIO
from urllib.parse import urlsplit

import requests
from django.http import Http404
from django.test.client import RequestFactory
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

_PREFIX = "/sandbox/"


class SandboxAdapter(BaseAdapter):
    def __init__(self) -> None:
        super().__init__()
        self._factory = RequestFactory()

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float, float] | tuple[float, None] | None = None,
        verify: bool | str = True,
        cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        from sandbox.views import InjectedTimeout, dispatch

        parts = urlsplit(str(request.url))
        if not parts.path.startswith(_PREFIX):
            raise requests.exceptions.ConnectionError(f"not a sandbox address: {parts.path}", request=request)
        slug, _, api_path = parts.path[len(_PREFIX) :].partition("/")
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("content-type", "content-length")}
        django_request = self._factory.generic(
            request.method or "GET",
            parts.path + (f"?{parts.query}" if parts.query else ""),
            data=body,
            content_type=request.headers.get("Content-Type", "application/octet-stream"),
            headers=headers,
        )
        try:
            django_response = dispatch(django_request, slug, api_path)
        except Http404:  # no such sandbox studio: answer as the HTTP endpoint would
            return self._build(request, 404, b"", {})
        if isinstance(django_response, InjectedTimeout):
            raise requests.exceptions.ReadTimeout("sandbox: injected timeout", request=request)
        return self._build(request, django_response.status_code, django_response.content, dict(django_response.items()))

    @staticmethod
    def _build(
        request: requests.PreparedRequest, status: int, content: bytes, headers: dict[str, str]
    ) -> requests.Response:
        response = requests.Response()
        response.status_code = status
        response.headers = CaseInsensitiveDict(headers)
        response._content = content
        response.raw = BytesIO(content)
        response.url = request.url or ""
        response.request = request
        response.encoding = "utf-8"
        response.reason = "OK" if status < 400 else "Error"
        return response

    def close(self) -> None:
        pass
