"""`storeconf sandbox serve` as a real TCP server in a subprocess, for tests that cross a socket."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def sandbox_server(workdir: Path, token: str, name: str = "tcp") -> Iterator[str]:
    """Serve a fresh sandbox (store hash `sandbox`) on a free port; yield its base URL."""
    port = free_port()
    log_path = workdir / f"{name}-server.log"
    log = log_path.open("w")
    db = workdir / f"{name}.db"
    cmd = [sys.executable, "-m", "storeconf", "sandbox", "serve", "--port", str(port), "--db", str(db)]
    proc = subprocess.Popen([*cmd, "--token", token], stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{url}/stores/sandbox/v2/time", headers={"X-Auth-Token": token}, timeout=1)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"sandbox did not start: {log_path.read_text()}") from None
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()
