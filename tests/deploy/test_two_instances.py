"""Two portal instances behave as one: what one loads, counts or signs in, the other sees (issue 11).

Two gunicorn instances (scripts/deploy_local.py's ReferenceDeployment, without nginx) share a SQLite
file and the Redis at 127.0.0.1:6379 (database 14, emptied first), with 200 ms of upstream latency so
that requests to both overlap. Skipped when that Redis does not answer.
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import re
import threading
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

ROOT = Path(__file__).resolve().parents[2]
REDIS = "redis://127.0.0.1:6379/14"
HOST = "127.0.0.1"
SCHEDULE = "/s/demo/classes/"
ACCOUNT = "/s/demo/account/"
TIMING = re.compile(r'upstream;dur=[\d.]+;desc="(\d+) call')
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _deploy_local():
    spec = importlib.util.spec_from_file_location("deploy_local", ROOT / "scripts" / "deploy_local.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


deploy_local = _deploy_local()


class Response:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes) -> None:
        self.status, self.headers, self.text = status, headers, body.decode(errors="replace")

    @property
    def upstream_calls(self) -> int:
        match = TIMING.search(self.headers.get("Server-Timing", ""))
        assert match, f"no upstream count in Server-Timing: {self.headers.get('Server-Timing')!r}"
        return int(match[1])


class Visitor:
    """One browser: its cookies go to whichever instance it asks."""

    def __init__(self, cookies: dict[str, str] | None = None) -> None:
        self.cookies = dict(cookies or {})

    def request(self, port: int, method: str, path: str, form: dict[str, str] | None = None) -> Response:
        headers = {"Host": f"{HOST}:{port}", "Accept-Language": "en"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers |= {"Content-Type": "application/x-www-form-urlencoded", "Origin": f"http://{HOST}:{port}"}
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            result = Response(response.status, response.headers, response.read())
        finally:
            conn.close()
        for value in result.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                self.cookies[name] = morsel.value
        return result


@pytest.fixture(scope="module")
def instances(tmp_path_factory):
    if not deploy_local.answers(HOST, 6379):
        pytest.skip("Redis does not answer on 127.0.0.1:6379 (the instances share it)")
    deployment = deploy_local.ReferenceDeployment(
        tmp_path_factory.mktemp("two-instances"),
        instance_ports=(0, 0),
        workers=2,
        threads=4,
        latency_ms=200,
        database="sqlite",
        cache=REDIS,
        with_nginx=False,
        with_worker=False,
        # Sign-in requests wait in the task table (no worker): the POST itself makes no upstream call.
        # The page cache off: what is measured is the read cache below it (one load per value across both).
        extra_env={"TASKS_MODE": "database", "PUBLIC_PAGE_CACHE": "0"},
        quiet=True,
    )
    with deployment:
        yield deployment


def test_a_cold_page_asked_of_both_instances_at_once_loads_each_upstream_value_once(instances):
    first, second = instances.instance_ports
    for port in (first, second):  # every worker up (imports, templates), so only the cache is cold
        for _ in range(4):
            assert Visitor().request(port, "GET", SCHEDULE).status == 200
    instances.flush_cache()
    one_cold_page = Visitor().request(first, "GET", SCHEDULE)
    assert one_cold_page.status == 200
    cost = one_cold_page.upstream_calls
    assert cost > 0

    instances.flush_cache()
    ports = [first, second] * 3
    start = threading.Barrier(len(ports))
    responses: list[Response] = []

    def visit(port: int) -> None:
        start.wait()
        responses.append(Visitor().request(port, "GET", SCHEDULE))

    threads = [threading.Thread(target=visit, args=(port,)) for port in ports]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [response.status for response in responses] == [200] * len(ports)
    calls = [response.upstream_calls for response in responses]
    assert sum(calls) == cost, f"one cold page costs {cost} upstream calls; six at once on two instances: {calls}"


def test_b_the_sign_in_limit_counts_requests_to_both_instances(instances):
    first, second = instances.instance_ports
    limit = 5  # selfservice.views.sign_in.SIGN_IN_LIMIT_PER_ADDRESS
    for _attempt in range(2):  # once more if the limit's hourly window turned over meanwhile
        window = int(time.time() // 3600)
        visitor = Visitor()
        token = CSRF_FIELD.search(visitor.request(first, "GET", ACCOUNT).text)[1]
        form = {"csrfmiddlewaretoken": token, "email": f"limit-{uuid.uuid4().hex[:8]}@example.com", "next": ""}
        spent = [visitor.request(port, "POST", ACCOUNT, form) for port in [first, second, first, second, first]]
        refused = [visitor.request(port, "POST", ACCOUNT, form) for port in (first, second)]
        if int(time.time() // 3600) == window:
            break
    assert len(spent) == limit
    assert [response.status for response in spent] == [200] * limit
    assert all("Too many sign-in requests" not in response.text for response in spent)
    for response in refused:
        assert response.status == 429
        assert "Too many sign-in requests. Please wait an hour and try again." in response.text


def test_c_a_member_signed_in_through_one_instance_is_signed_in_on_the_other(instances):
    code = (
        "import json\n"
        "from django.contrib.sessions.backends.cached_db import SessionStore\n"
        "from portal.models import Studio\n"
        "from portal.perfectgym.models import CustomerSearchRequest\n"
        "from portal.upstream import client_for\n"
        "studio = Studio.objects.get(slug='demo')\n"
        "found = client_for(studio).search_customers(CustomerSearchRequest(email='mia@example.com'))\n"
        "store = SessionStore()\n"
        "store['member'] = {'studio': studio.pk, 'customer': found[0].id}\n"
        "store.create()\n"
        "print(json.dumps(store.session_key))\n"
    )
    session_key = json.loads(instances.manage("shell", "-c", code).strip().splitlines()[-1])
    member = Visitor({"sessionid": session_key})
    for port in instances.instance_ports:
        page = member.request(port, "GET", ACCOUNT)
        assert page.status == 200
        assert "/s/demo/account/sign-out/" in page.text, f"not signed in on port {port}"
    anonymous = Visitor().request(instances.instance_ports[1], "GET", ACCOUNT)
    assert "/s/demo/account/sign-out/" not in anonymous.text
