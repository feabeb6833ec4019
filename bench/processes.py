"""Process management shared by the benches: a server started in its own process, its READY
line, its stop, its CPU and memory from /proc, and, on the server's side, serving until the
load generator says stop (SIGTERM) or dies (its stdin closes).

Only the standard library: bench/webhook_servers.py loads it next to another checkout's bot
(``--compare``), and the servers import it before anything of ours.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import stat
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
STARTUP_LIMIT = 180.0  # seconds for a server to print READY (N workers import in parallel)
STOP_LIMIT = 10.0  # seconds for a server to exit on SIGTERM before it is killed

Stop = Callable[[], Awaitable[None]]


# --- the load generator's side ------------------------------------------------------------------


def pythonpath(root: Path) -> str:
    """A checkout first on PYTHONPATH: its bot/, dialogs/ and content/ are the code under test."""
    return os.pathsep.join(p for p in (str(root), os.environ.get("PYTHONPATH")) if p)


def log_file(workdir: Path) -> Path:
    """A server's stderr, in its own fresh folder (which also holds its database)."""
    workdir.mkdir(parents=True, exist_ok=True)
    return workdir / "server.log"


def tail(log: Path) -> str:
    """The end of a server's log."""
    return log.read_text(errors="replace")[-2000:]


@dataclass
class Started:
    """A server process and the words of its READY line after READY (its ports)."""

    process: asyncio.subprocess.Process
    ready: list[str]
    log: Path

    @property
    def port(self) -> int:
        """The first port the READY line gave."""
        return int(self.ready[0])


@asynccontextmanager
async def started(
    command: Sequence[str],
    workdir: Path,
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    startup_limit: float = STARTUP_LIMIT,
    stop_limit: float = STOP_LIMIT,
    preexec_fn: Callable[[], None] | None = None,
) -> AsyncIterator[Started]:
    """Start a server whose stdout says ``READY <port> ...``, logging its stderr to
    WORKDIR/server.log; it is stopped (SIGTERM, then SIGKILL) on the way out, errors included.
    Its stdin is a pipe: it exits by itself when this process dies."""
    log = log_file(workdir)
    with log.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            *command,
            cwd=cwd,
            env=env,
            stdin=asyncio.subprocess.PIPE,  # the server exits when this closes (we died)
            stdout=asyncio.subprocess.PIPE,
            stderr=stderr,
            preexec_fn=preexec_fn,
        )
        try:
            yield Started(process, await ready_words(process, log, startup_limit), log)
        finally:
            await stop(process, stop_limit)


async def ready_words(
    process: asyncio.subprocess.Process, log: Path, limit: float = STARTUP_LIMIT
) -> list[str]:
    """Wait for "READY <port> ..." on the server's stdout; the words after READY."""
    assert process.stdout is not None
    try:
        line = await asyncio.wait_for(process.stdout.readline(), limit)
    except TimeoutError:
        line = b""
    if not line.startswith(b"READY "):
        raise RuntimeError(f"the server did not start:\n{tail(log)}")
    return line.decode().split()[1:]


async def stop(process: asyncio.subprocess.Process, limit: float = STOP_LIMIT) -> None:
    """SIGTERM, then SIGKILL if it does not exit in time."""
    if process.returncode is None:
        with suppress(ProcessLookupError):
            process.terminate()
        try:
            await asyncio.wait_for(process.wait(), limit)
        except TimeoutError:
            with suppress(ProcessLookupError):
                process.kill()
            await process.wait()


def free_port() -> int:
    """A port of 127.0.0.1 free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def describe_checkout(root: Path) -> str:
    """The checkout's path and commit, "-dirty" when it has uncommitted changes."""
    try:
        found = subprocess.run(
            ["git", "-C", str(root), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return str(root)
    return f"{root} {found.stdout.strip() or '(not a git checkout)'}"


# --- /proc ----------------------------------------------------------------------------------------


def stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command's name (state is [0], ppid [1],
    utime [11], stime [12]); None when the process is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time one process used so far."""
    fields = stat_fields(pid)
    return 0.0 if fields is None else (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _all_stats() -> dict[int, list[str]]:
    """Every live process's stat fields."""
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := stat_fields(int(entry.name))) is not None:
            stats[int(entry.name)] = fields
    return stats


def _tree(root: int, parents: dict[int, int]) -> set[int]:
    """A process and its descendants, four generations deep (the server, `python -m bot run`,
    its workers, their helpers)."""
    tree = {root}
    for _ in range(4):
        tree |= {pid for pid, parent in parents.items() if parent in tree}
    return tree


def tree_cpu_seconds(root: int) -> float:
    """User plus system CPU time a process and its live descendants used so far."""
    stats = _all_stats()
    tree = _tree(root, {pid: int(fields[1]) for pid, fields in stats.items()})
    return sum((int(stats[p][11]) + int(stats[p][12])) / CLOCK_TICKS for p in tree if p in stats)


def status(pid: int) -> dict[str, str]:
    """/proc/PID/status as a dict (VmRSS, VmHWM, PPid...); empty when the process is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    return {
        key: value.strip() for key, _, value in (line.partition(":") for line in text.splitlines())
    }


def memory_mb(pid: int, key: str = "VmRSS") -> float:
    """A process's resident memory (VmRSS) or its peak (VmHWM), in MiB."""
    return int(status(pid).get(key, "0 kB").split()[0]) / 1024


def tree_rss_mb(root: int) -> float:
    """Resident memory of a process and its descendants, in MiB."""
    stats = _all_stats()
    tree = _tree(root, {pid: int(fields[1]) for pid, fields in stats.items()})
    return sum(memory_mb(pid) for pid in tree)


# --- the server's side --------------------------------------------------------------------------


async def serve_until_stopped(ready: str, stop: Stop) -> None:
    """Announce "READY <ready>" on stdout, run until SIGTERM or SIGINT, or until stdin (a
    pipe from the load generator) closes, then `stop`."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    watch = asyncio.create_task(until_parent_gone(stopping))
    print(f"READY {ready}", flush=True)
    try:
        await stopping.wait()
    finally:
        watch.cancel()
        await stop()


async def until_parent_gone(stopping: asyncio.Event) -> None:
    """Set `stopping` when stdin is a pipe and it closes: the load generator died (or closed
    it to say stop)."""
    if not stat.S_ISFIFO(os.fstat(sys.stdin.fileno()).st_mode):
        return
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    await reader.read()
    stopping.set()
