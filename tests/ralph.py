"""A real Learning Record Store for the tests: Ralph (the `ralph-malph` package) with its
file-system backend, started as a subprocess on a free local port, with basic auth.

Ralph pins its own FastAPI, Starlette and Pydantic, so it may live in its own environment:
`RALPH_PYTHON` names that interpreter (`scripts/ralph-venv` makes one); without it, this
interpreter is used when it has Ralph. Otherwise the tests that need it are skipped, saying so.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

USERNAME = "imaginecole"
PASSWORD = "lrs-secret"


# Ralph 5.1.0's file-system LRS backend writes each POST with the data backend's default
# operation, CREATE, which refuses an existing file: every POST after the first one fails
# with a 500 ("fs_lrs.jsonl already exists and overwrite is not allowed"). Its own APPEND
# operation is what an LRS file needs; the server is otherwise Ralph's, unchanged.
_SERVE = """
import sys
import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend
FSLRSBackend.default_operation_type = BaseOperationType.APPEND
uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


def ralph_python() -> str | None:
    """The interpreter that runs Ralph, or None when there is none."""
    configured = os.environ.get("RALPH_PYTHON")
    if configured:
        return configured if Path(configured).exists() else None
    return sys.executable if importlib.util.find_spec("ralph") is not None else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Ralph:
    """A running Ralph: its xAPI endpoint and how to read what it stores."""

    url: str  # the xAPI endpoint: POST <url>/statements

    def _get(self, path: str) -> Any:
        request = urllib.request.Request(self.url + path)
        token = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
        request.add_header("X-Experience-API-Version", "1.0.3")
        with urllib.request.urlopen(request, timeout=30) as reply:
            return json.loads(reply.read())

    def statements(self) -> list[dict[str, Any]]:
        """Every statement the LRS stores, oldest first."""
        found = self._get("/statements?limit=10000&ascending=true")
        return list(found["statements"])


@contextmanager
def running_ralph(folder: Path) -> Iterator[Ralph]:
    """Ralph on a free port, its statements in `folder`; stopped afterwards."""
    python = ralph_python()
    assert python is not None
    folder.mkdir(parents=True, exist_ok=True)
    auth = folder / "auth.json"
    make_hash = (
        "import bcrypt,sys;print(bcrypt.hashpw(sys.argv[1].encode(), bcrypt.gensalt(4)).decode())"
    )
    hashed = subprocess.run(
        [python, "-c", make_hash, PASSWORD], check=True, capture_output=True, text=True
    ).stdout.strip()
    agent = {"account": {"homePage": "https://lrs.example.org", "name": USERNAME}}
    user = {"agent": agent, "scopes": ["all"]}
    auth.write_text(json.dumps([{**user, "username": USERNAME, "hash": hashed}]))
    env = {
        **os.environ,
        "RALPH_APP_DIR": str(folder),
        "RALPH_AUTH_FILE": str(auth),
        "RALPH_RUNSERVER_BACKEND": "fs",
        "RALPH_RUNSERVER_MAX_SEARCH_HITS_COUNT": "10000",
        "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(folder),
    }
    log = (folder / "ralph.log").open("w")
    process, ralph = _start(python, env, log, folder)
    try:
        yield ralph
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _start(
    python: str, env: dict[str, str], log: IO[str], folder: Path
) -> tuple[subprocess.Popen[bytes], Ralph]:
    """Ralph on a free port; again on another one when the port was taken meanwhile."""
    for _ in range(3):
        port = _free_port()
        process = subprocess.Popen(
            [python, "-c", _SERVE, str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        if _wait_until_up(process, f"http://127.0.0.1:{port}/__heartbeat__"):
            return process, Ralph(f"http://127.0.0.1:{port}/xAPI")
        process.kill()
        process.wait()
    raise RuntimeError("Ralph did not start: " + (folder / "ralph.log").read_text()[-2000:])


def _wait_until_up(process: subprocess.Popen[bytes], heartbeat: str) -> bool:
    """Whether Ralph answers its heartbeat (it starts in a few seconds; a minute at most)."""
    for _ in range(600):
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(heartbeat, timeout=2):
                return True
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    return False
