"""docker-compose.yml's topology as local processes: Postgres, Redis, a Chroma server, an LLM server, N replicas, nginx
(or serving/proxy.py where nginx is not installed).

`shopassist cluster up` starts them (throwaway, under data_dir/cluster) and records their pids and ports in
cluster.json so that `cluster down`, or a fault test, can find them again. Every replica gets the same
SHOPASSIST_* variables as the compose file's `api` services; only hosts and ports differ.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from pydantic import BaseModel

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
BIN = Path(sys.executable).parent


class ClusterError(RuntimeError):
    """A part of the cluster is missing or did not start; the message says which."""


class Service(BaseModel):
    name: str
    command: list[str]
    port: int
    env: dict[str, str] = {}
    pid: int | None = None
    ready_path: str | None = None  # HTTP path that answers 200 once the service serves; else a TCP connect
    stop_signal: int = signal.SIGTERM
    scratch: Path | None = None  # a directory of its own outside the cluster's root, deleted by `down`


class State(BaseModel):
    root: Path
    services: dict[str, Service] = {}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def as_postgres_user(command: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root; the Debian package creates a `postgres` user for this.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def init_postgres(user: str) -> Path:
    """A fresh cluster in a new temporary directory (trust auth, local only), which it returns; its data is in
    `data/`. Not under the cluster's root: as root, Postgres runs as `postgres`, which must reach the directory."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        raise ClusterError("Postgres is not installed (apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="shopassist-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    data = root / "data"
    subprocess.run(as_postgres_user([str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", user]),
                   check=True, capture_output=True)
    return root


def postgres_service(root: Path, port: int) -> Service:
    bin_dir = postgres_bin()
    assert bin_dir is not None
    # SIGINT is Postgres's "fast" shutdown: SIGTERM would wait for every client to disconnect.
    return Service(name="postgres", port=port, stop_signal=signal.SIGINT, scratch=root, command=as_postgres_user(
        [str(bin_dir / "postgres"), "-D", str(root / "data"), "-p", str(port), "-k", str(root),
         "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=200"]))


def redis_service(port: int) -> Service:
    binary = shutil.which("redis-server")
    if binary is None:
        raise ClusterError("redis-server is not installed (apt-get install redis-server)")
    return Service(name="redis", port=port, command=[binary, "--port", str(port), "--bind", "127.0.0.1",
                                                     "--save", "", "--appendonly", "no"])


def chroma_service(root: Path, port: int) -> Service:
    return Service(name="chroma", port=port, ready_path="/api/v2/heartbeat",
                   command=[str(BIN / "chroma"), "run", "--path", str(root / "chroma"), "--host", "127.0.0.1",
                            "--port", str(port)])


def llm_service(port: int, tokens_per_s: float) -> Service:
    return Service(name="llm", port=port, ready_path="/v1/models",
                   command=[sys.executable, "-m", "agent.scripted_server", "--port", str(port),
                            "--tokens-per-s", str(tokens_per_s)])


def replica_service(name: str, port: int, env: dict[str, str]) -> Service:
    return Service(name=name, port=port, env=env, ready_path="/ready",
                   command=[str(BIN / "shopassist"), "serve", "--host", "127.0.0.1", "--port", str(port)])


def nginx_config(listen: int, upstreams: list[int], root: Path) -> str:
    """deploy/nginx.conf (the compose proxy's config) with local ports, wrapped for a non-root nginx."""
    server = (DEPLOY / "nginx.conf").read_text()
    servers = "".join(f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;\n" for port in upstreams)
    server = re.sub(r"(upstream shopassist \{\n)(?:    server .*\n)+", lambda m: m.group(1) + servers, server)
    server = server.replace("listen 8080;", f"listen 127.0.0.1:{listen};")
    temp = root / "nginx"
    paths = "".join(f"    {kind}_temp_path {temp / kind};\n" for kind in ("client_body", "proxy", "fastcgi",
                                                                           "uwsgi", "scgi"))
    return (f"daemon off;\npid {temp / 'nginx.pid'};\nerror_log {root / 'logs' / 'nginx.log'} warn;\n"
            f"worker_processes 1;\nevents {{ worker_connections 4096; }}\n"
            f"http {{\n    access_log off;\n{paths}{server}}}\n")


def proxy_service(root: Path, listen: int, upstreams: list[int]) -> Service:
    """nginx with the compose proxy's config; where nginx is not installed, the Python TCP balancer
    (serving/proxy.py)."""
    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if binary is None:
        return python_proxy_service(listen, upstreams)
    (root / "nginx").mkdir(parents=True, exist_ok=True)
    config = root / "nginx.conf"
    config.write_text(nginx_config(listen, upstreams, root))
    return Service(name="proxy", port=listen, command=[binary, "-c", str(config), "-p", str(root / "nginx"),
                                                       "-e", str(root / "logs" / "nginx.log")])


def python_proxy_service(listen: int, upstreams: list[int]) -> Service:
    upstream_args = [arg for port in upstreams for arg in ("--upstream", str(port))]
    return Service(name="proxy", port=listen,
                   command=[sys.executable, "-m", "serving.proxy", "--port", str(listen), *upstream_args])


def is_ready(service: Service) -> bool:
    try:
        if service.ready_path is None:
            with socket.create_connection(("127.0.0.1", service.port), timeout=1):
                return True
        return httpx.get(f"http://127.0.0.1:{service.port}{service.ready_path}", timeout=2).status_code == 200
    except (OSError, httpx.HTTPError):
        return False


def is_alive(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A killed child stays a zombie until its parent reaps it: that is dead too.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(")")[-1].split()[0] != "Z"


class Cluster:
    """The processes of one cluster, persisted in `root/cluster.json`; each runs in its own process group."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.state = State.model_validate_json((root / "cluster.json").read_text()) \
            if (root / "cluster.json").exists() else State(root=root)
        self._children: dict[int, subprocess.Popen[bytes]] = {}

    def save(self) -> None:
        (self.root / "cluster.json").write_text(self.state.model_dump_json(indent=2))

    def __getitem__(self, name: str) -> Service:
        return self.state.services[name]

    def start(self, service: Service, timeout_s: float = 180) -> Service:
        """Start (or restart, same port) `service` and wait until it serves."""
        (self.root / "logs").mkdir(parents=True, exist_ok=True)
        with (self.root / "logs" / f"{service.name}.log").open("ab") as log:
            process = subprocess.Popen(service.command, env={**os.environ, **service.env}, stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        self._children[process.pid] = process
        service.pid = process.pid
        self.state.services[service.name] = service
        self.save()
        wait_until(lambda: is_ready(service), timeout_s, f"{service.name} did not start",
                   lambda: process.poll() is None, self.root / "logs" / f"{service.name}.log")
        return service

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        service = self[name]
        if service.pid is not None and is_alive(service.pid):
            os.killpg(service.pid, sig)
            wait_until(lambda: not is_alive(service.pid), 60, f"{name} did not stop")
        child = self._children.pop(service.pid or -1, None)
        if child is not None:
            child.wait()

    def restart(self, name: str) -> Service:
        return self.start(self[name])

    def stop(self, name: str) -> None:
        service = self[name]
        if service.pid is None or not is_alive(service.pid):
            return
        os.killpg(service.pid, service.stop_signal)
        try:
            wait_until(lambda: not is_alive(service.pid), 20, "")
        except ClusterError:
            self.kill(name)
        child = self._children.pop(service.pid, None)
        if child is not None:
            child.wait()

    def down(self) -> None:
        for name in reversed(list(self.state.services)):
            self.stop(name)
            scratch = self.state.services[name].scratch
            if scratch is not None:
                shutil.rmtree(scratch, ignore_errors=True)
        shutil.rmtree(self.root, ignore_errors=True)


def wait_until(condition: Callable[[], bool], timeout_s: float, message: str,
               still_running: Callable[[], bool] = lambda: True, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        if not still_running():
            break
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-2000:] if log is not None and log.exists() else ""
    raise ClusterError(f"{message}\n{tail}".strip())
