#!/usr/bin/env python3
"""The reference deployment on this machine: nginx in front of two portal instances sharing one database and Redis.

    .venv/bin/python scripts/deploy_local.py                   # start, print the URLs, Ctrl-C stops it all
    .venv/bin/python scripts/deploy_local.py --latency-ms 80   # with injected upstream latency (sandbox)
    .venv/bin/python scripts/deploy_local.py --check           # start, ask for /s/demo/ twice, stop

What runs, all on loopback (127.0.0.1), with every file in the run directory (default var/reference/):

- PostgreSQL at 127.0.0.1:5432 (trust auth, user postgres), database ``portal_reference`` (created when
  missing); when it does not answer, a SQLite file in the run directory;
- Redis at 127.0.0.1:6379, database 3 (emptied at start); when it does not answer, a private
  ``redis-server`` on a free port;
- migrate, collectstatic and load_demo, once;
- two gunicorn instances (2 workers x 4 threads each, ports 8101 and 8102, DEBUG off), and one
  ``manage.py db_worker`` for e-mail (TASKS_MODE=database; the console backend prints them);
- nginx on port 8100 (deploy/nginx.conf.template; installed with apt-get when missing and run as root).

From another script (scripts/benchmark.py)::

    from deploy_local import ReferenceDeployment

    with ReferenceDeployment(run_dir=tmp, latency_ms=80, nginx_port=0, instance_ports=(0, 0)) as deployment:
        deployment.nginx_port, deployment.instance_ports   # 0 picks a free port
        deployment.flush_cache()                            # a cold shared cache
        deployment.manage("shell", "-c", "...")             # manage.py with the instances' settings
"""

# ruff: noqa: S603, S607  (it starts our own gunicorn, nginx, redis-server and manage.py on loopback)
from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
NGINX = Path("/usr/sbin/nginx")
TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
HOST = "127.0.0.1"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/portal_reference"
REDIS_URL = "redis://127.0.0.1:6379/3"
# Local only: the deployment listens on loopback and its data is the demo studio.
SECRET_KEY = "reference-deployment-local-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
# Variables of the caller's environment that would point the instances elsewhere.
FOREIGN_VARIABLES = ("DATABASE_URL", "REDIS_URL", "SQLITE_PATH", "DJANGO_SETTINGS_MODULE", "PROMETHEUS_MULTIPROC_DIR")


class DeploymentError(RuntimeError):
    """Something the deployment needs is missing or did not start (the message says what)."""


# --- Small helpers ----------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def answers(host: str, port: int, timeout: float = 1.0) -> bool:
    """True when something accepts TCP connections there."""
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError:
        return False
    return True


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def redis_command(url: str, *parts: str) -> bytes:
    """One command to the Redis database named by ``url`` (RESP over a socket: no client library needed)."""
    address = urlsplit(url)
    database = (address.path or "/0").lstrip("/") or "0"
    commands = [("SELECT", database), parts]
    payload = "".join(
        f"*{len(command)}\r\n" + "".join(f"${len(p.encode())}\r\n{p}\r\n" for p in command) for command in commands
    )
    with socket.create_connection((address.hostname or HOST, address.port or 6379), timeout=5) as sock:
        sock.sendall(payload.encode())
        answer = b""
        while answer.count(b"\r\n") < 2:
            chunk = sock.recv(1024)
            if not chunk:
                break
            answer += chunk
    if b"-" in answer[:1] or b"\r\n-" in answer:
        raise DeploymentError(f"Redis refused {parts[0]}: {answer.decode(errors='replace').strip()}")
    return answer


def http_get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("GET", path, headers={"Host": f"{HOST}:{port}", **(headers or {})})
        response = conn.getresponse()
        return response.status, dict(response.headers.items()), response.read()
    finally:
        conn.close()


def wait_for(port: int, path: str = "/healthz", timeout: float = 60, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise DeploymentError(f"the process for port {port} ended (exit {process.returncode})")
        with contextlib.suppress(OSError, http.client.HTTPException):
            if http_get(port, path)[0] == 200:
                return
        time.sleep(0.2)
    raise DeploymentError(f"nothing answered 200 on http://{HOST}:{port}{path} within {timeout:.0f} s")


def ensure_nginx() -> Path:
    """nginx from Debian's package, installed when missing (as .ci/run installs chromium)."""
    if NGINX.exists():
        return NGINX
    if os.geteuid() != 0:
        raise DeploymentError("nginx is not installed: run `sudo apt-get install -y nginx` (Debian's package)")
    print("--- installing Debian's nginx", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], env=env, check=True)
    # Another apt-get may be running (CI installing chromium): wait for its lock rather than fail.
    install = ["apt-get", "install", "-y", "-qq", "-o", "DPkg::Lock::Timeout=300", "nginx"]
    subprocess.run(install, env=env, check=True, stdout=subprocess.DEVNULL)
    if not NGINX.exists():
        raise DeploymentError("apt-get install nginx did not install /usr/sbin/nginx")
    return NGINX


def create_postgres_database(url: str) -> None:
    """Create the database named by ``url`` when it is missing (on a server with trust auth)."""
    import psycopg
    from psycopg import sql

    address = urlsplit(url)
    name = address.path.lstrip("/")
    server = {"host": address.hostname or HOST, "port": address.port or 5432, "user": address.username or "postgres"}
    with psycopg.connect(dbname="postgres", autocommit=True, connect_timeout=5, **server) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def render_nginx_conf(nginx_dir: Path, nginx_port: int, instance_ports: Sequence[int]) -> str:
    servers = "\n".join(f"        server {HOST}:{port} max_fails=1 fail_timeout=5s;" for port in instance_ports)
    values = {"nginx_dir": str(nginx_dir), "nginx_port": str(nginx_port), "upstream_servers": servers}
    text = TEMPLATE.read_text()
    for name, value in values.items():
        text = text.replace("{{" + name + "}}", value)
    return text


# --- The deployment ----------------------------------------------------------------------------------
class ReferenceDeployment:
    """nginx + N gunicorn instances + db_worker on one database and one Redis; a context manager.

    ``database``: ``"auto"`` (PostgreSQL at 127.0.0.1:5432 when it answers, else SQLite), ``"sqlite"``
    (a file in the run directory) or a ``postgres://`` URL (the database is created when missing).
    ``cache``: ``"auto"`` (Redis 127.0.0.1:6379/3 when it answers, else a private redis-server),
    ``"private"`` or a ``redis://`` URL; that Redis database is emptied at start.
    A port of 0 picks a free one. ``with_nginx=False`` starts the instances only. Without ``run_dir`` a
    temporary directory is used and removed by ``stop()`` unless ``keep``.
    """

    def __init__(
        self,
        run_dir: Path | str | None = None,
        *,
        nginx_port: int = 8100,
        instance_ports: Sequence[int] = (8101, 8102),
        workers: int = 2,
        threads: int = 4,
        latency_ms: int = 0,
        database: str = "auto",
        cache: str = "auto",
        with_nginx: bool = True,
        with_worker: bool = True,
        extra_env: dict[str, str] | None = None,
        quiet: bool = False,
        keep: bool = False,
    ) -> None:
        self.run_dir = Path(run_dir) if run_dir else Path(tempfile.mkdtemp(prefix="portal-reference-"))
        self._remove_run_dir = run_dir is None and not keep
        self.nginx_port = nginx_port or free_port()
        self.instance_ports = [port or free_port() for port in instance_ports]
        self.workers, self.threads, self.latency_ms = workers, threads, latency_ms
        self.database, self.cache = database, cache
        self.with_nginx, self.with_worker = with_nginx, with_worker
        self.extra_env = dict(extra_env or {})
        self.quiet = quiet
        self.database_url = ""  # empty: SQLite in the run directory
        self.redis_url = ""
        self.processes: dict[str, subprocess.Popen] = {}
        self.env: dict[str, str] = {}
        self._logs: list = []

    # The parts: ---------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """Where visitors go: nginx, or the first instance without it."""
        port = self.nginx_port if self.with_nginx else self.instance_ports[0]
        return f"http://{HOST}:{port}"

    def say(self, message: str) -> None:
        if not self.quiet:
            print(message, flush=True)

    def __enter__(self) -> ReferenceDeployment:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        """Set up and start everything; returns once each instance and nginx answer /healthz."""
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> None:
        if not GUNICORN.exists():
            raise DeploymentError("run `make install` first (.venv with gunicorn)")
        nginx = ensure_nginx() if self.with_nginx else None
        ports = self.instance_ports + ([self.nginx_port] if self.with_nginx else [])
        busy = [port for port in ports if not port_is_free(port)]
        if busy:
            raise DeploymentError(f"port(s) {busy} on {HOST} are in use (is a deployment running already?)")
        self.run_dir.mkdir(parents=True, exist_ok=True)
        if nginx is not None and os.geteuid() == 0:
            self._let_nobody_in()
        (self.run_dir / "logs").mkdir(exist_ok=True)
        self._choose_backing_services()
        self.env = self._environment()
        self.say(f"--- setting up ({self.describe_backing()}) in {self.run_dir}")
        self.manage("migrate", "--noinput", "--verbosity", "0")
        self.manage("collectstatic", "--noinput", "--verbosity", "0")
        self.manage("load_demo", "--history", "--verbosity", "0")
        for index, port in enumerate(self.instance_ports):
            self._start_instance(index, port)
        if self.with_worker:
            self._spawn("worker", [str(PYTHON), str(ROOT / "manage.py"), "db_worker"], self.env)
        for index, port in enumerate(self.instance_ports):
            self._wait_for(f"instance-{index + 1}", port)
        if nginx is not None:
            self._start_nginx(nginx)
            self._wait_for("nginx", self.nginx_port)

    def _wait_for(self, name: str, port: int) -> None:
        try:
            wait_for(port, process=self.processes[name])
        except DeploymentError as failed:
            raise DeploymentError(f"{name}: {failed}; its log ends with:\n{self.log_tail(name)}") from None

    def _let_nobody_in(self) -> None:
        """Started by root, nginx's workers run as "nobody": they must reach their cache and temp directories."""
        self.run_dir.chmod(0o755)
        closed = [parent for parent in self.run_dir.resolve().parents if not parent.stat().st_mode & 0o001]
        if closed:
            raise DeploymentError(f"nginx's workers (user nobody) cannot enter {closed[0]}: choose another run dir")

    def describe_backing(self) -> str:
        database = urlsplit(self.database_url).path.lstrip("/") if self.database_url else "SQLite"
        cache = "private Redis" if "redis" in self.processes else "Redis " + self.redis_url.removeprefix("redis://")
        return f"PostgreSQL {database}, {cache}" if self.database_url else f"{database}, {cache}"

    def _choose_backing_services(self) -> None:
        if self.database == "auto":
            self.database = POSTGRES_URL if answers(HOST, 5432) else "sqlite"
        if self.database != "sqlite":
            create_postgres_database(self.database)
            self.database_url = self.database
        if self.cache == "auto":
            self.cache = REDIS_URL if answers(HOST, 6379) else "private"
        if self.cache == "private":
            self.redis_url = self._start_private_redis()
        else:
            self.redis_url = self.cache
        self.flush_cache()

    def _start_private_redis(self) -> str:
        server = shutil.which("redis-server")
        if server is None:
            raise DeploymentError("Redis does not answer on 127.0.0.1:6379 and redis-server is not installed")
        port = free_port()
        command = [server, "--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no"]
        self._spawn("redis", command, dict(os.environ))
        deadline = time.monotonic() + 10
        while not answers(HOST, port):
            if time.monotonic() > deadline or self.processes["redis"].poll() is not None:
                raise DeploymentError("the private redis-server did not start (see logs/redis.log)")
            time.sleep(0.05)
        return f"redis://{HOST}:{port}/0"

    def _environment(self) -> dict[str, str]:
        # A settings module of the run's own: the production settings, static files collected into the run dir.
        (self.run_dir / "reference_settings.py").write_text(
            '"""The production settings; static files are collected into the run directory."""\n\n'
            "from portal.settings import *  # noqa: F403\n\n"
            f"STATIC_ROOT = {str(self.run_dir / 'static')!r}\n"
        )
        env = {key: value for key, value in os.environ.items() if key not in FOREIGN_VARIABLES}
        env.update(
            {
                "PYTHONPATH": f"{self.run_dir}{os.pathsep}{ROOT}",
                "DJANGO_SETTINGS_MODULE": "reference_settings",
                "DEBUG": "0",
                "SECRET_KEY": SECRET_KEY,
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "PUBLIC_BASE_URL": self.url,
                "SECURE_SSL_REDIRECT": "0",
                "SESSION_COOKIE_SECURE": "0",
                "CSRF_COOKIE_SECURE": "0",
                "SECURE_HSTS_SECONDS": "0",
                # One nginx appends the client to X-Forwarded-For (and without nginx nothing does:
                # then the connecting address counts, as the portal's client_ip documents).
                "TRUSTED_PROXY_COUNT": "1",
                "TASKS_MODE": "database" if self.with_worker else "immediate",
                "EMAIL_MODE": "console",
                "LOG_LEVEL": "warning",
                "PORTAL_VAR_DIR": str(self.run_dir / "var"),
                "SANDBOX_LATENCY_MS": str(self.latency_ms),
                "SANDBOX_HTTP_ENABLED": "0",
                "REDIS_URL": self.redis_url,
            }
        )
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        else:
            env["SQLITE_PATH"] = str(self.run_dir / "db.sqlite3")
        env.update(self.extra_env)
        return env

    def _start_instance(self, index: int, port: int) -> None:
        metrics = self.run_dir / "prometheus" / str(port)
        shutil.rmtree(metrics, ignore_errors=True)
        metrics.mkdir(parents=True)
        command = [
            str(GUNICORN),
            "--config",
            str(GUNICORN_CONFIG),
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
        ]
        # Gunicorn's control socket defaults to one path per user: two instances need one each.
        control = self.run_dir / f"gunicorn-{port}.ctl"
        command += ["--control-socket", str(control)] if len(str(control)) < 100 else ["--no-control-socket"]
        self._spawn(f"instance-{index + 1}", command, {**self.env, "PROMETHEUS_MULTIPROC_DIR": str(metrics)})

    def _start_nginx(self, nginx: Path) -> None:
        nginx_dir = self.run_dir / "nginx"
        nginx_dir.mkdir(exist_ok=True)
        # Pages of an earlier run (before load_demo reset the data) must not be served: start empty, as Redis does.
        shutil.rmtree(nginx_dir / "cache", ignore_errors=True)
        conf = nginx_dir / "nginx.conf"
        conf.write_text(render_nginx_conf(nginx_dir, self.nginx_port, self.instance_ports))
        command = [str(nginx), "-p", str(nginx_dir), "-c", str(conf), "-e", str(nginx_dir / "error.log")]
        tested = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True, check=False)
        if tested.returncode:
            raise DeploymentError(f"nginx refused {conf}:\n{tested.stderr.strip()}")
        self._spawn("nginx", command, dict(os.environ))

    def _spawn(self, name: str, command: list[str], env: dict[str, str]) -> None:
        log = open(self.run_dir / "logs" / f"{name}.log", "ab")  # noqa: SIM115  (closed in stop())
        self._logs.append(log)
        # A session of its own: Ctrl-C in the terminal reaches this script only, which stops
        # everything in order (nginx first, so nothing is sent to a stopping instance).
        self.processes[name] = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    # Using it: -----------------------------------------------------------------------------------
    def manage(self, *command: str, latency: bool = False) -> str:
        """manage.py with the instances' settings; without the injected latency unless asked for."""
        env = {**self.env, "SANDBOX_LATENCY_MS": str(self.latency_ms if latency else 0)}
        done = subprocess.run(
            [str(PYTHON), str(ROOT / "manage.py"), *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise DeploymentError(f"manage.py {' '.join(command[:2])} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def flush_cache(self) -> None:
        """Empty the shared cache (this deployment's Redis database): the next pages are cold."""
        redis_command(self.redis_url, "FLUSHDB")

    def ended(self) -> list[str]:
        """Names of the processes that stopped by themselves."""
        return [name for name, process in self.processes.items() if process.poll() is not None]

    def log_tail(self, name: str, lines: int = 20) -> str:
        path = self.run_dir / "logs" / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """Stop what was started, nginx first; a process that does not stop in time is killed."""
        for name in sorted(self.processes, key=lambda name: name != "nginx"):
            process = self.processes[name]
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                # The whole session: gunicorn's workers, nginx's workers (all ours).
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()
        for log in self._logs:
            log.close()
        self._logs.clear()
        if self._remove_run_dir:
            shutil.rmtree(self.run_dir, ignore_errors=True)


# --- The command -------------------------------------------------------------------------------------
def check(deployment: ReferenceDeployment, path: str = "/s/demo/") -> bool:
    """Ask nginx for ``path`` twice, as one anonymous visitor with no cookies; print what came back."""
    ok = True
    for attempt in (1, 2):
        status, headers, body = http_get(deployment.nginx_port, path, {"Accept-Language": "de"})
        print(
            f"GET {path} #{attempt}: {status}  X-Cache-Status: {headers.get('X-Cache-Status', '-')}  "
            f"Cache-Control: {headers.get('Cache-Control', '-')}  Server-Timing: {headers.get('Server-Timing', '-')}  "
            f"{len(body)} bytes",
            flush=True,
        )
        ok = ok and status == 200
        time.sleep(0.2)
    return ok


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run-dir", type=Path, default=ROOT / "var" / "reference", help="default: var/reference")
    parser.add_argument("--latency-ms", type=int, default=0, help="injected upstream latency of the sandbox")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per instance (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    parser.add_argument("--database", default="auto", help="auto (default), sqlite or a postgres:// URL")
    parser.add_argument("--cache", default="auto", help="auto (default), private or a redis:// URL")
    parser.add_argument("--check", action="store_true", help="start, request /s/demo/ twice through nginx, stop")
    args = parser.parse_args()

    deployment = ReferenceDeployment(
        args.run_dir,
        latency_ms=args.latency_ms,
        workers=args.workers,
        threads=args.threads,
        database=args.database,
        cache=args.cache,
    )
    # SIGTERM (e.g. from a process manager) stops everything like Ctrl-C; SIGINT too when the shell
    # started this in the background (it is ignored there otherwise).
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    try:
        deployment.start()
        print(
            f"\nPortal (nginx):   {deployment.url}/s/demo/\n"
            f"Admin:            {deployment.url}/admin/ (admin / admin)\n"
            f"Instances:        {', '.join(f'http://{HOST}:{port}' for port in deployment.instance_ports)}\n"
            f"Backing services: {deployment.describe_backing()}\n"
            f"Logs:             {deployment.run_dir / 'logs'}, {deployment.run_dir / 'nginx'}\n",
            flush=True,
        )
        if args.check:
            return 0 if check(deployment) else 1
        print("Ctrl-C stops everything.", flush=True)
        while not (ended := deployment.ended()):
            time.sleep(1)
        for name in ended:
            print(f"--- {name} ended by itself; its log ends with:\n{deployment.log_tail(name)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\n--- stopping", flush=True)
        return 0
    except DeploymentError as failed:
        print(f"--- {failed}", file=sys.stderr)
        return 1
    finally:
        deployment.stop()


if __name__ == "__main__":
    sys.exit(main())
