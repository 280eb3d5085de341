#!/usr/bin/env python3
"""Benchmark the portal under gunicorn on the sandbox with injected upstream latency.

    .venv/bin/python scripts/benchmark.py                      # defaults: 2 workers x 4 threads, 80 ms, 50 clients
    .venv/bin/python scripts/benchmark.py --pages-only         # only the anonymous pages beside the ceiling
    .venv/bin/python scripts/benchmark.py --through nginx      # those pages through the reference deployment

What it does, all on loopback (127.0.0.1) and in a temporary directory that is removed afterwards:

1. a fresh SQLite database (migrate, collectstatic, load_demo) and, when ``redis-server`` is
   installed, a private Redis as the shared cache (else the local-memory cache: then "cold" can
   only be measured once per worker, on the first request);
2. gunicorn serving the portal (``DEBUG`` off) with ``SANDBOX_LATENCY_MS`` added to every upstream call,
   and a second gunicorn of the same size, the ceiling: Django with only CommonMiddleware returning the
   schedule's bytes from memory;
3. every anonymous warm page and the ceiling under the same load, one after another (wrk when installed,
   else Python clients): req/s, p50/p95, and the ratios to the ceiling measured in this run;
4. from this (second) process, with the standard library only (threads, http.client, keep-alive):
   - cold schedule page: the shared cache is emptied before each request;
   - warm schedule page: N concurrent clients, closed loop (as fast as they can) and paced
     (each client twice a second);
   - filter swap: the HTMX request the category and day filters send;
   - booking: signed-in demo members book classes through the HTMX booking form;
5. for each: requests, requests per second, p50 and p95 latency, upstream calls per response
   (from the ``Server-Timing`` header), bytes per response; request counts and time are bounded.
"""

# ruff: noqa: S603, S607  (it starts our own gunicorn, manage.py and redis-server on loopback)
from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
HOST = "127.0.0.1"
TIMING = re.compile(r'upstream;dur=([\d.]+);desc="(\d+) call')
MEMBERS = ["mia@example.com", "tom@example.com", "sara@example.com", "jonas@example.com"]


# --- Measuring ----------------------------------------------------------------------------------------
@dataclass
class Sample:
    seconds: float
    status: int
    size: int
    calls: int | None
    upstream_ms: float | None
    body: bytes = b""


@dataclass
class Result:
    name: str
    samples: list[Sample] = field(default_factory=list)
    wall: float = 0.0
    errors: int = 0
    note: str = ""

    def line(self) -> str:
        if not self.samples:
            return f"{self.name:<34} no responses ({self.errors} errors)"
        times = sorted(sample.seconds * 1000 for sample in self.samples)
        calls = [sample.calls for sample in self.samples if sample.calls is not None]
        sizes = [sample.size for sample in self.samples]
        rps = len(self.samples) / self.wall if self.wall else 0
        return (
            f"{self.name:<34} {len(self.samples):>6} {rps:>8.1f} {percentile(times, 50):>8.1f} "
            f"{percentile(times, 95):>8.1f} {statistics.mean(calls) if calls else 0:>7.2f} "
            f"{statistics.mean(sizes):>9.0f}  {self.note}"
        )


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    index = min(len(values) - 1, max(0, round(pct / 100 * len(values) + 0.5) - 1))
    return values[index]


class Connection:
    """One keep-alive HTTP/1.1 connection with its cookies (a browser tab, roughly)."""

    def __init__(self, port: int, cookies: dict[str, str] | None = None) -> None:
        self.port = port
        self.cookies = dict(cookies or {})
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, *, headers: dict | None = None, body: bytes | None = None) -> Sample:
        headers = {"Host": f"{HOST}:{self.port}", "Accept-Language": "de", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
            started = time.perf_counter()
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
                continue
            elapsed = time.perf_counter() - started
            for value in response.headers.get_all("Set-Cookie") or []:
                cookie = SimpleCookie(value)
                for key, morsel in cookie.items():
                    self.cookies[key] = morsel.value
            match = TIMING.search(response.headers.get("Server-Timing", ""))
            if response.headers.get("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
            return Sample(
                elapsed,
                response.status,
                len(data),
                int(match[2]) if match else None,
                float(match[1]) if match else None,
                data,
            )
        raise AssertionError("unreachable")


def closed_loop(name, port, clients, total, duration, path, headers=None, pace=None) -> Result:
    """``clients`` threads share ``total`` requests (at most ``duration`` seconds); ``pace`` = seconds between
    one client's requests (None: back to back)."""
    result = Result(name)
    lock = threading.Lock()
    budget = [total]
    deadline = time.perf_counter() + duration

    def client() -> None:
        connection = Connection(port)
        next_at = time.perf_counter()
        while time.perf_counter() < deadline:
            with lock:
                if budget[0] <= 0:
                    return
                budget[0] -= 1
            if pace:
                delay = next_at - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                next_at += pace
            try:
                sample = connection.request("GET", path, headers=headers)
            except OSError:
                with lock:
                    result.errors += 1
                continue
            sample.body = b""
            with lock:
                if sample.status == 200:
                    result.samples.append(sample)
                else:
                    result.errors += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        if pace:
            time.sleep(pace / clients)  # spread the paced clients over the interval
        thread.start()
    for thread in threads:
        thread.join()
    result.wall = time.perf_counter() - started
    return result


# --- The server under test -------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_for(port: int, path: str = "/healthz", timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        with contextlib.suppress(OSError, http.client.HTTPException):
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        time.sleep(0.2)
    raise SystemExit(f"nothing answered on {HOST}:{port}{path}")


def redis_command(port: int, *parts: str) -> bytes:
    payload = f"*{len(parts)}\r\n" + "".join(f"${len(p.encode())}\r\n{p}\r\n" for p in parts)
    with socket.create_connection((HOST, port), timeout=5) as sock:
        sock.sendall(payload.encode())
        return sock.recv(1024)


class Environment:
    def __init__(self, args) -> None:
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="portal-bench-"))
        self.port = free_port()
        self.redis_port: int | None = None
        self.processes: list[subprocess.Popen] = []
        self.log = open(self.tmp / "server.log", "w")  # noqa: SIM115
        (self.tmp / "bench_settings.py").write_text(
            "import os\n"
            "from portal.settings import *  # noqa\n"
            f"STATIC_ROOT = {str(self.tmp / 'static')!r}\n"
            "UPSTREAM_CONCURRENCY = int(os.environ['UPSTREAM_CONCURRENCY'])\n"
        )
        self.env = {
            **os.environ,
            "PYTHONPATH": f"{self.tmp}:{ROOT}",
            "DJANGO_SETTINGS_MODULE": "bench_settings",
            "DEBUG": "0",
            "SECRET_KEY": "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": HOST,
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "SECURE_HSTS_SECONDS": "0",
            "PORTAL_VAR_DIR": str(self.tmp / "var"),
            "SQLITE_PATH": str(self.tmp / "db.sqlite3"),
            "EMAIL_MODE": "console",
            "LOG_LEVEL": "warning",
            "SANDBOX_LATENCY_MS": str(args.latency_ms),
            "SANDBOX_HTTP_ENABLED": "0",
            "UPSTREAM_CONCURRENCY": str(args.concurrency),
        }
        self.env.pop("DATABASE_URL", None)
        self.env.pop("REDIS_URL", None)

    def manage(self, *command: str) -> str:
        # Setup runs without the injected latency: it is not what is measured.
        env = {**self.env, "SANDBOX_LATENCY_MS": "0"}
        done = subprocess.run(
            [str(PYTHON), str(ROOT / "manage.py"), *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise SystemExit(f"manage.py {' '.join(command[:2])} failed:\n{done.stderr[-2000:]}")
        return done.stdout

    def start(self) -> None:
        if self.args.cache == "redis" or (self.args.cache == "auto" and shutil.which("redis-server")):
            self.redis_port = free_port()
            self.processes.append(
                subprocess.Popen(
                    [
                        "redis-server",
                        "--port",
                        str(self.redis_port),
                        "--bind",
                        HOST,
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                    ],
                    stdout=self.log,
                    stderr=self.log,
                )
            )
            time.sleep(0.3)
            self.env["REDIS_URL"] = f"redis://{HOST}:{self.redis_port}/0"
        self.manage("migrate", "--noinput")
        self.manage("collectstatic", "--noinput")
        self.manage("load_demo", "--no-admin", "--verbosity", "0")
        self.processes.append(
            subprocess.Popen(
                [
                    str(GUNICORN),
                    "portal.wsgi",
                    "--workers",
                    str(self.args.workers),
                    "--threads",
                    str(self.args.threads),
                    "--bind",
                    f"{HOST}:{self.port}",
                    "--keep-alive",
                    "5",
                    "--backlog",
                    "256",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=self.log,
                stderr=self.log,
            )
        )
        wait_for(self.port)

    def sessions(self) -> dict[str, str]:
        """Signed-in sessions of demo members, made the way portal.members.sign_in makes them."""
        code = (
            "import json\n"
            "from django.contrib.sessions.backends.cached_db import SessionStore\n"
            "from portal.models import Studio\n"
            "from portal.perfectgym.models import CustomerSearchRequest\n"
            "from portal.upstream import client_for\n"
            "studio = Studio.objects.get(slug='demo')\n"
            "client = client_for(studio)\n"
            "out = {}\n"
            f"for email in {MEMBERS!r}:\n"
            "    found = client.search_customers(CustomerSearchRequest(email=email))\n"
            "    store = SessionStore()\n"
            "    store['member'] = {'studio': studio.pk, 'customer': found[0].id}\n"
            "    store.create()\n"
            "    out[email] = store.session_key\n"
            "print(json.dumps(out))\n"
        )
        return json.loads(self.manage("shell", "-c", code).strip().splitlines()[-1])

    def flush_cache(self) -> bool:
        if self.redis_port is None:
            return False
        redis_command(self.redis_port, "FLUSHDB")
        return True

    def stop(self) -> None:
        for process in reversed(self.processes):
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.log.close()
        if not self.args.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)


# --- The ceiling: Django returning one page from memory ------------------------------------------------
CEILING_MODULE = """\
# Django with no rendering and only CommonMiddleware: the same bytes from memory on every request.
from pathlib import Path

from django.http import HttpResponse
from django.urls import path

SECRET_KEY = "benchmark-ceiling-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS: list = []
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = __name__
DATABASES: dict = {}
USE_TZ = True
BODY = (Path(__file__).parent / "ceiling_body.html").read_bytes()


def page(request):
    return HttpResponse(BODY, content_type="text/html; charset=utf-8")


urlpatterns = [path("", page), path("healthz", page)]
"""


def start_ceiling(env: Environment, body: bytes) -> int:
    """A second gunicorn, same workers and threads, serving ``body`` from memory (the ceiling)."""
    (env.tmp / "ceiling_body.html").write_bytes(body)
    (env.tmp / "bench_ceiling.py").write_text(CEILING_MODULE)
    port = free_port()
    env.processes.append(
        subprocess.Popen(
            [
                str(GUNICORN),
                "django.core.wsgi:get_wsgi_application()",
                "--workers",
                str(env.args.workers),
                "--threads",
                str(env.args.threads),
                "--bind",
                f"{HOST}:{port}",
                "--keep-alive",
                "5",
                "--backlog",
                "256",
            ],
            cwd=env.tmp,
            env={**env.env, "DJANGO_SETTINGS_MODULE": "bench_ceiling"},
            stdout=env.log,
            stderr=env.log,
        )
    )
    wait_for(port)
    return port


WRK_SCRIPT = """\
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, '
    .. '"non2xx": %d, "errors": %d, "bytes": %d}\\n', summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), e.status, e.connect + e.read + e.write + e.timeout,
    summary.bytes))
end
"""


@dataclass
class Load:
    """One page under load: requests per second and latency, from wrk (or the Python clients without it)."""

    name: str
    path: str
    rps: float = 0.0
    p50: float = 0.0
    p95: float = 0.0
    failed: int = 0
    calls: float = 0.0
    size: int = 0
    tool: str = ""


def measure_load(env: Environment, port: int, load: Load, seconds: float) -> Load:
    probe = Connection(port).request("GET", load.path)
    load.calls = float(probe.calls or 0)
    load.size = probe.size
    if shutil.which("wrk"):
        script = env.tmp / "report.lua"
        script.write_text(WRK_SCRIPT)
        done = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{env.args.clients}",
                f"-d{max(1, round(seconds))}s",
                "-s",
                str(script),
                "-H",
                "Accept-Language: de",
                f"http://{HOST}:{port}{load.path}",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        line = next((line for line in done.stdout.splitlines() if line.startswith("WRK ")), "")
        if not line:
            raise SystemExit(f"wrk failed: {done.stdout[-500:]} {done.stderr[-500:]}")
        data = json.loads(line[4:])
        load.rps = data["requests"] / (data["duration_us"] / 1e6)
        load.p50, load.p95 = data["p50_us"] / 1000, data["p95_us"] / 1000
        load.failed = data["non2xx"] + data["errors"]
        load.tool = "wrk"
        return load
    result = closed_loop(load.name, port, env.args.clients, 100000, seconds, load.path)
    times = sorted(sample.seconds * 1000 for sample in result.samples)
    load.rps = len(result.samples) / result.wall if result.wall else 0.0
    load.p50, load.p95 = percentile(times, 50), percentile(times, 95)
    load.failed = result.errors
    load.tool = "python"
    return load


OFFER_LINK = re.compile(r'href="(/s/demo/trial/(?:class|appointment)/\d+/)"')
APPOINTMENT_LINK = re.compile(r'href="(/s/demo/appointments/\d+/)"')


def anonymous_pages(port: int) -> list[Load]:
    """Every anonymous page the targets name, with the first trial offer and appointment type of the demo."""
    pages = [
        Load("home", "/s/demo/"),
        Load("trial list", "/s/demo/trial/"),
        Load("schedule", SCHEDULE),
        Load("appointments", "/s/demo/appointments/"),
        Load("voucher", "/s/demo/voucher/"),
        Load("cancel (§312k)", "/s/demo/cancel/"),
    ]
    trial = Connection(port).request("GET", "/s/demo/trial/").body.decode()
    for kind in ("class", "appointment"):  # the first offer of each kind
        path = next((path for path in OFFER_LINK.findall(trial) if f"/{kind}/" in path), None)
        if path:
            pages.insert(2, Load(f"trial offer ({kind})", path))
    types = Connection(port).request("GET", "/s/demo/appointments/").body.decode()
    for path in APPOINTMENT_LINK.findall(types)[:1]:
        pages.append(Load("appointment times", path))
    return pages


def pages_table(env: Environment, ceiling_port: int, seconds: float) -> list[str]:
    """Every anonymous warm page beside the ceiling, measured in this run. The ceiling runs right before each
    page (a shared machine's speed drifts within a run); the table shows the ratio to that run and to the best."""
    pages = anonymous_pages(env.port)
    for page in pages:  # warm: every read cached, every worker has rendered it
        closed_loop("warm-up", env.port, 8, 80, 5, page.path)
    rows = []
    for page in pages:
        ceiling = measure_load(env, ceiling_port, Load("ceiling", "/"), seconds)
        rows.append((measure_load(env, env.port, page, seconds), ceiling))
    best = max(ceiling.rps for _page, ceiling in rows)
    lines = [
        f"{'anonymous warm page':<26} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'calls':>5} {'bytes':>6} "
        f"{'ceiling':>8} {'x ceil':>6} {'p95 x':>5} {'x best':>6}  target: >= 0.40 x ceil, p95 <= 3x"
    ]
    for page, ceiling in rows:
        ratio, p95_ratio = page.rps / ceiling.rps, page.p95 / ceiling.p95 if ceiling.p95 else 0.0
        verdict = "met" if ratio >= 0.40 and p95_ratio <= 3 else "NOT MET"
        lines.append(
            f"{page.name:<26} {page.rps:>7.0f} {page.p50:>7.1f} {page.p95:>7.1f} {page.calls:>5.1f} {page.size:>6} "
            f"{ceiling.rps:>8.0f} {ratio:>6.2f} {p95_ratio:>5.1f} {page.rps / best:>6.2f}  {verdict}"
            f"{f' ({page.failed} failed)' if page.failed else ''}"
        )
    lines.append(
        f"(load: {rows[0][0].tool}, {env.args.clients} connections, {seconds:.0f} s per run; ceiling: Django with "
        f"only CommonMiddleware returning the schedule's {rows[0][1].size} bytes from memory, run right before "
        f"each page; best ceiling run {best:.0f} req/s)"
    )
    return lines


# --- Scenarios ----------------------------------------------------------------------------------------------
SCHEDULE = "/s/demo/classes/"
HTMX = {"HX-Request": "true", "HX-Target": "schedule-results"}


def cold(env: Environment, runs: int) -> Result:
    result = Result("schedule, cold cache")
    started = time.perf_counter()
    for attempt in range(runs):
        if not env.flush_cache():
            if attempt:
                break
            result.note = "(no Redis: the first request after start, start-up work included)"
        sample = Connection(env.port).request("GET", SCHEDULE)
        if sample.status == 200:
            result.samples.append(sample)
        else:
            result.errors += 1
        time.sleep(0.3)  # let background work settle
    result.wall = time.perf_counter() - started
    if result.samples:
        page = statistics.median(sample.seconds * 1000 for sample in result.samples)
        per_call = statistics.median(s.upstream_ms / s.calls for s in result.samples if s.calls)
        result.note = (
            result.note + f" p50 = {page / env.args.latency_ms:.2f} x injected latency, "
            f"{page / per_call:.2f} x one upstream call ({per_call:.0f} ms each)"
        ).strip()
    return result


BOOK_BUTTON = re.compile(r'formaction="(/s/demo/classes/\d+/book/)"')
FORM_KEY = re.compile(r'<form id="book-form".*?name="csrfmiddlewaretoken" value="([^"]+)".*?name="key" value="([^"]+)"')


def bookings(env: Environment, sessions: dict[str, str], total: int) -> tuple[Result, dict[str, int]]:
    """Each member books classes one after another (members in parallel), as the HTMX form does."""
    result = Result("booking (HTMX form)")
    outcomes: dict[str, int] = {}
    lock = threading.Lock()
    per_member = max(1, total // len(sessions))

    def member(session_key: str) -> None:
        connection = Connection(env.port, {"sessionid": session_key})
        page = connection.request("GET", SCHEDULE)
        html = page.body.decode()
        buttons = BOOK_BUTTON.findall(html)
        for index, action in enumerate(buttons[::3][:per_member]):
            page = connection.request("GET", SCHEDULE) if index else page
            form = FORM_KEY.search(page.body.decode())
            if form is None:
                with lock:
                    result.errors += 1
                return
            token, key = form.groups()
            body = urlencode({"csrfmiddlewaretoken": token, "key": key, "next": SCHEDULE}).encode()
            headers = {
                **HTMX,
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"http://{HOST}:{env.port}",
                "X-CSRFToken": token,
            }
            sample = connection.request("POST", action, headers=headers, body=body)
            text = sample.body.decode(errors="replace")
            outcome = (
                "booked"
                if "state-booked" in text
                else "waiting list"
                if "state-waiting" in text
                else "refused"
                if sample.status == 422
                else f"HTTP {sample.status}"
            )
            sample.body = b""
            with lock:
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
                if sample.status in (200, 422):
                    result.samples.append(sample)
                else:
                    result.errors += 1

    threads = [threading.Thread(target=member, args=(key,)) for key in sessions.values()]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.wall = time.perf_counter() - started
    result.note = ", ".join(f"{count} {name}" for name, count in sorted(outcomes.items()))
    return result, outcomes


def through_nginx(env: Environment) -> None:
    """The anonymous pages through nginx (its microcache honours the pages' Cache-Control) in front of two
    gunicorn instances, beside the ceiling: one gunicorn of the same size serving the bytes from memory."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from deploy_local import ReferenceDeployment

    args = env.args
    deployment = ReferenceDeployment(
        nginx_port=0,
        instance_ports=(0, 0),
        workers=args.workers,
        threads=args.threads,
        latency_ms=args.latency_ms,
        with_worker=False,
        quiet=True,
    )
    try:
        deployment.start()
        env.port = deployment.nginx_port
        print(
            f"nginx on {HOST}:{env.port} in front of 2 gunicorn instances ({args.workers} workers x {args.threads} "
            f"threads each), {deployment.describe_backing()}, upstream latency {args.latency_ms} ms\n",
            flush=True,
        )
        closed_loop("warm-up", env.port, 8, 100, 10, SCHEDULE)
        ceiling_port = start_ceiling(env, Connection(env.port).request("GET", SCHEDULE).body)
        print("\n".join(pages_table(env, ceiling_port, args.page_seconds)), flush=True)
    finally:
        deployment.stop()
        env.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency-ms", type=int, default=80, help="injected upstream latency (default 80)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=8, help="UPSTREAM_CONCURRENCY of the portal")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients for the warm runs")
    parser.add_argument("--requests", type=int, default=3000, help="requests per warm run (upper bound)")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per warm run (upper bound)")
    parser.add_argument("--cold-runs", type=int, default=10)
    parser.add_argument("--bookings", type=int, default=40)
    parser.add_argument("--cache", choices=("auto", "redis", "locmem"), default="auto")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (server log, database)")
    parser.add_argument("--page-seconds", type=float, default=8.0, help="seconds of load per anonymous page")
    parser.add_argument("--pages-only", action="store_true", help="only the anonymous pages beside the ceiling")
    parser.add_argument(
        "--through",
        choices=("gunicorn", "nginx"),
        default="gunicorn",
        help="nginx: the anonymous pages through the reference deployment (nginx and two gunicorn instances on "
        "PostgreSQL and Redis, scripts/deploy_local.py) beside the same ceiling",
    )
    args = parser.parse_args()
    if not GUNICORN.exists():
        raise SystemExit("run `make install` first (.venv with gunicorn)")

    env = Environment(args)
    print(f"Setting up in {env.tmp} ...", flush=True)
    if args.through == "nginx":
        through_nginx(env)
        return
    try:
        env.start()
        cache_name = "Redis (private)" if env.redis_port else "local memory (per worker)"
        print(
            f"gunicorn {args.workers} workers x {args.threads} threads on {HOST}:{env.port}, upstream latency "
            f"{args.latency_ms} ms, cache: {cache_name}, {os.cpu_count()} CPUs\n",
            flush=True,
        )
        closed_loop("warm-up", env.port, 8, 100, 10, SCHEDULE)
        ceiling_port = start_ceiling(env, Connection(env.port).request("GET", SCHEDULE).body)
        table = pages_table(env, ceiling_port, args.page_seconds)
        print("\n".join(table) + "\n", flush=True)
        if args.pages_only:
            return
        sessions = env.sessions()
        if env.redis_port:
            # Warm up every worker (imports, templates, connections), so "cold" means a cold cache only.
            closed_loop("warm-up", env.port, 8, 200, 10, SCHEDULE)
            closed_loop("warm-up", env.port, 8, 100, 10, f"{SCHEDULE}?category=Yoga", HTMX)
        results = [cold(env, args.cold_runs)]
        closed_loop("warm-up", env.port, 8, 200, 10, SCHEDULE)
        closed_loop("warm-up", env.port, 8, 100, 10, f"{SCHEDULE}?category=Yoga", HTMX)
        n, total, seconds = args.clients, args.requests, args.duration
        results.append(closed_loop(f"schedule, warm, {n} clients", env.port, n, total, seconds, SCHEDULE))
        results[-1].note = "closed loop"
        paced = closed_loop(
            f"schedule, warm, {n} clients", env.port, n, min(total, int(n * 2 * seconds)), seconds, SCHEDULE, pace=0.5
        )
        paced.note = "paced: 2 requests/s per client"
        results.append(paced)
        for label, query in (("category", "?category=Yoga"), ("day", "?day=" + time.strftime("%Y-%m-%d"))):
            swap = closed_loop(
                f"filter swap ({label}), {n} clients", env.port, n, total, seconds, SCHEDULE + query, HTMX
            )
            swap.note = "HTMX fragment, closed loop"
            results.append(swap)
        booking, _outcomes = bookings(env, sessions, args.bookings)
        results.append(booking)

        print(f"{'scenario':<34} {'reqs':>6} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'calls':>7} {'bytes':>9}")
        for result in results:
            print(result.line())
        log = (env.tmp / "server.log").read_text(errors="replace")
        paused = log.count("upstream rate limit: pausing")
        print(f"\nupstream 429 pauses: {paused}; server errors logged: {log.count(' ERROR ')}")
        if env.args.keep:
            print(f"kept: {env.tmp}")
    finally:
        env.stop()


if __name__ == "__main__":
    sys.exit(main())
