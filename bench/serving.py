"""The site served as deployed, for the benchmarks that time it over HTTP: gunicorn, production settings."""

import argparse
import contextlib
import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def production_environment(**overrides: str) -> dict[str, str]:
    """Production settings (DEBUG off, so templates are cached) on plain HTTP at 127.0.0.1."""
    return {
        **os.environ,
        "SECRET_KEY": "benchmark-only",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "API_ANON_RATE": "100000/minute",
        "LOG_LEVEL": "ERROR",
        # Static files are served from their source folders here, not collected: WhiteNoise need not say so.
        "PYTHONWARNINGS": "ignore:No directory at",
        **overrides,
    }


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


@contextlib.contextmanager
def scratch_postgres(server_url: str, name: str):
    """A new database `name` on the PostgreSQL server of `server_url` (whose own database is left
    alone), yielding its address; dropped when the block ends."""
    import psycopg

    address = urlsplit(server_url)
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {name}")
        try:
            yield address._replace(path=f"/{name}").geturl()
        finally:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env: dict[str, str], port: int, *options: str):
    """gunicorn serving the site at 127.0.0.1:`port` until the block ends (`options` such as --workers 2)."""
    command = [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}"]
    server = subprocess.Popen([*command, "--log-level", "warning", *options], cwd=ROOT, env=env)
    try:
        _wait_for(port, server)
        yield server
    finally:
        server.terminate()
        server.wait()


def _wait_for(port: int, server: subprocess.Popen) -> None:
    for _ in range(150):
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped at once (exit code {server.returncode})")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/robots.txt")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer on port {port}")


def requests_per_second(port: int, path: str, seconds: float, clients: int) -> float:
    """`clients` threads asking for `path` again and again for `seconds`, each on a new connection as
    gunicorn's sync workers close every one; the answers must be 200."""
    # The port in Host keeps each server's pages apart in a cache they share (Redis).
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n"
    ).encode()
    done, failures = [0] * clients, []
    started = time.perf_counter()
    deadline = started + seconds

    def client(n: int) -> None:
        try:
            while time.perf_counter() < deadline:
                with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
                    connection.sendall(request)
                    first = connection.recv(65536)
                    while connection.recv(65536):
                        pass
                status = first.split(b"\r\n", 1)[0].decode()
                if not status.startswith("HTTP/1.1 200 "):
                    raise RuntimeError(f"{path} answered {status!r}")
                done[n] += 1
        except Exception as error:  # noqa: BLE001  (raised again in the main thread)
            failures.append(error)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return sum(done) / (time.perf_counter() - started)


def scratch_database(stack: contextlib.ExitStack, scratch: str, name: str) -> str:
    """A database for one benchmark: a scratch PostgreSQL database when DATABASE_URL names a server
    (dropped when `stack` closes), else a SQLite file in `scratch`."""
    postgres = os.environ.get("DATABASE_URL", "")
    if postgres.startswith("postgres"):
        return stack.enter_context(scratch_postgres(postgres, name))
    return f"sqlite:///{scratch}/{name}.sqlite3"


def medians_in_rounds(pages: dict[str, tuple[int, str]], *, rounds: int, seconds: float, clients: int):
    """Requests per second of each page (name: (port, path)), measured in turn round after round
    so that whatever else the machine does falls on all of them alike; the median of each."""
    for port, path in pages.values():  # warm the workers, their templates and any cache
        requests_per_second(port, path, seconds=1, clients=clients)
    measured = {name: [] for name in pages}
    for _ in range(rounds):
        for name, (port, path) in pages.items():
            measured[name].append(requests_per_second(port, path, seconds, clients))
    return {name: statistics.median(rates) for name, rates in measured.items()}


def measuring_options(description: str) -> argparse.ArgumentParser:
    """The options every serving benchmark takes: how many rounds, how long, how many clients."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3, help="length of one measurement in a round")
    parser.add_argument("--clients", type=int, default=4, help="requests in flight at once")
    return parser
