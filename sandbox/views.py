"""The sandbox's front door, shared by the HTTP endpoint and the in-process adapter."""

from __future__ import annotations

import hmac
import json
import logging
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from portal.lib import ratelimit
from portal.lib.crypto import DecryptionError
from portal.models import Studio
from sandbox import faults
from sandbox.errors import ApiProblem
from sandbox.router import SandboxRequest, resolve

logger = logging.getLogger("sandbox")

# Wrong API keys one client address may send per minute before every answer is 429 (keys are not
# even compared then), so guessing keys over HTTP gets nowhere.
WRONG_KEYS_PER_MINUTE = 20


class InjectedTimeout(HttpResponse):
    """An answer the caller must not get in time: the in-process adapter raises ``ReadTimeout`` for it,
    the HTTP endpoint waits past the client's read timeout. A write behind it has still happened."""


def _language(request: HttpRequest) -> str:
    header = request.headers.get("Accept-Language", "")
    code = header.split(",")[0].split(";")[0].strip().lower()[:2]
    return code if code in ("de", "en") else "en"


def _error(problem: ApiProblem, language: str) -> JsonResponse:
    response = JsonResponse(problem.body(language), status=problem.status)
    if problem.status == 429:
        response["Retry-After"] = str(60 - int(time.time()) % 60)
    return response


def _key_problem(studio: Studio, sent_key: str) -> ApiProblem | None:
    """401 for any key but this studio's: another studio's key is answered the same as a made-up one,
    so the answer never tells which keys exist."""
    try:
        if sent_key and hmac.compare_digest(sent_key.encode(), studio.api_key.encode()):
            return None
    except DecryptionError:
        pass
    return ApiProblem(401, "errormessage.unauthorized")


def _rate_limited(studio: Studio, method: str, template: str) -> bool:
    """The API's rule: 1000 requests per minute per endpoint, then 429 for the rest of the minute."""
    minute = int(time.time() // 60)
    key = f"sandbox:rl:{studio.pk}:{method}:{template}:{minute}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:
        count = 1
    return count > settings.SANDBOX_RATE_LIMIT_PER_MINUTE


def _parse_body(request: HttpRequest) -> tuple[Any, dict[str, UploadedFile]]:
    content_type = request.content_type or ""
    if content_type.startswith("multipart/form-data"):
        raw = request.POST.get("data")
        data_file = request.FILES.get("data")
        if raw is None and isinstance(data_file, UploadedFile):
            raw = data_file.read().decode()
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            raise ApiProblem.validation("data", "The data part must be JSON") from None
        files = {
            name: upload
            for name, upload in request.FILES.items()
            if name != "data" and isinstance(upload, UploadedFile)
        }
        return data, files
    if not request.body:
        return None, {}
    try:
        return json.loads(request.body), {}
    except ValueError:
        raise ApiProblem.validation("body", "The body must be JSON") from None


def _access_problem(studio: Studio, request: HttpRequest, client: str) -> ApiProblem | None:
    """A 429 while ``client`` sends too many wrong keys (keys are not even compared then), else a 401 for
    a wrong key, counted against ``client``."""
    if ratelimit.exceeded("sandbox-wrong-key", client, limit=WRONG_KEYS_PER_MINUTE, window=60):
        return ApiProblem(429, "errormessage.rate.limit")
    problem = _key_problem(studio, request.headers.get("X-API-KEY", ""))
    if problem:
        ratelimit.hit("sandbox-wrong-key", client, limit=WRONG_KEYS_PER_MINUTE, window=60)
    return problem


def _injected_fault(plan: faults.FaultPlan, method: str, language: str) -> HttpResponse | None:
    """The latency, error or read timeout fault injection wants instead of an answer (None: answer).
    A timed-out write is still carried out: ``dispatch`` marks its answer instead."""
    if plan.latency_ms:
        time.sleep(plan.latency_ms / 1000)
    if plan.error_status:
        code = {429: "errormessage.rate.limit", 503: "errormessage.unavailable"}.get(
            plan.error_status, "errormessage.internal"
        )
        return _error(ApiProblem(plan.error_status, code), language)
    if plan.timeout and method == "GET":
        return InjectedTimeout(status=504)
    return None


def dispatch(request: HttpRequest, slug: str, path: str, *, client: str = "") -> HttpResponse:
    """Answer one API request for the sandbox studio ``slug``.

    ``client`` is the caller's address over HTTP: its wrong keys are throttled. The in-process
    adapter (the portal itself) passes none.
    """
    studio = (
        Studio.objects.filter(slug=slug, mode=Studio.Mode.SANDBOX, is_active=True)
        .select_related("sandbox_faults")
        .first()
    )
    if studio is None:
        raise Http404("No sandbox studio here")
    language = _language(request)
    method = request.method or "GET"
    path = "/" + path.lstrip("/")

    problem = _access_problem(studio, request, client)
    if problem:
        return HttpResponse(status=problem.status) if method == "HEAD" else _error(problem, language)
    if method == "HEAD":
        return HttpResponse(status=200)

    found = resolve(method, path)
    if found is None:
        return _error(ApiProblem.not_found("path"), language)
    route, params = found
    if _rate_limited(studio, method, route.template):
        return _error(ApiProblem(429, "errormessage.rate.limit"), language)

    plan = faults.plan_for(studio)
    injected = _injected_fault(plan, method, language)
    if injected is not None:
        return injected

    try:
        body, files = _parse_body(request)
        ctx = SandboxRequest(
            studio=studio,
            method=method,
            path=path,
            query={name: request.GET[name] for name in request.GET},
            body=body,
            files=files,
            language=language,
        )
        with transaction.atomic():
            result = route.handler(ctx, **params)
    except ApiProblem as exc:
        response: HttpResponse = _error(exc, language)
    else:
        response = HttpResponse(status=200) if result is None else JsonResponse(result, safe=False)
    logger.debug("sandbox op=%s status=%s", route.operation_id, response.status_code)
    # A write that "times out" has still happened: the caller must reconcile.
    if plan.timeout:
        return InjectedTimeout(response.content, status=response.status_code, content_type=response["Content-Type"])
    return response


@csrf_exempt
def http_api(request: HttpRequest, slug: str, path: str) -> HttpResponse:
    """``/sandbox/<slug>/v1/...`` over HTTP, for outside tools."""
    if not settings.SANDBOX_HTTP_ENABLED:
        raise Http404("The sandbox's HTTP endpoint is switched off")
    response = dispatch(request, slug, "v1/" + path, client=ratelimit.client_ip(request))
    if isinstance(response, InjectedTimeout):
        time.sleep(settings.UPSTREAM_READ_TIMEOUT + 1)
    return response
