"""Certificates, booklets and charts: made after the turn, off the loop, cached by content.

A turn runs inside one transaction (on SQLite the write lock of the whole file, one turn at
a time): rendering a certificate (0.3 s of fpdf2), a booklet (0.6 s, seconds with large
images) or a chart (0.1-0.5 s of matplotlib) inside it made every other learner wait. So the
ports (dialogs/ports.py, certificate_ports.py, admin_ports.py) hand the dialog a `Later`: a
key naming the content and a way to make it. `Conversations.handle` makes the reply's Laters
after the commit, before sending (`made`), outside the transaction and the SQLite lock.

Rendering runs in a small process pool: fpdf2 and matplotlib are pure-Python CPU work that
holds the GIL, so a thread would still slow the loop's own work; processes leave it alone,
and their inputs (frozen dataclasses, strings, lists) pickle. `pool="thread"` (the ports'
default when built without a renderer, as tests do; the bench's baseline) and
`pool="inline"` (on the loop, for unit tests) exist too.

The bytes are cached in memory, least recently used first out, up to `cache_bytes`, keyed by
a hash of everything they are made from (the function and its pickled inputs): the same
certificate, the same booklet of the same course text and files, the same chart data is
made once. A republished course is other content, so its booklet and certificates get a new
key by themselves; nothing has to be invalidated. Two requests for one key wait for one
render.

A cold pool is slow: a worker is a new interpreter that imports matplotlib or fpdf2 before its
first document (the first class report after a start took 9.5 s on a loaded two-core server,
the next one 33 ms). `warm` (RENDER_WARM) starts a worker and draws a tiny chart in it, in the
background, right after start-up; `stop` waits for the workers to end, so a stopped bot
leaves no process behind (bench/first_report.py measures the first report).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import multiprocessing
import os
import pickle
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from functools import partial
from typing import Any, Literal

from bot import metrics
from dialogs.messages import Document, Later, LaterLost, Out, Say

log = logging.getLogger("imaginecole.rendering")

MB = 1024 * 1024
CACHE_BYTES = 64 * MB  # a certificate is ~20 KB, a bundled booklet 60-125 KB, a chart ~30 KB
Pool = Literal["process", "thread", "inline"]


class Renderer:
    """Makes documents in a bounded pool and keeps them by content."""

    def __init__(
        self, *, pool: Pool = "process", workers: int = 0, cache_bytes: int = CACHE_BYTES
    ) -> None:
        self.pool: Pool = pool
        self.workers = workers or min(2, os.cpu_count() or 1)
        self.cache_bytes = cache_bytes
        self._cache: OrderedDict[str, bytes] = OrderedDict()
        self._held = 0  # bytes in the cache
        self._making: dict[str, asyncio.Future[bytes]] = {}
        self._executor: Executor | None = None
        self.warming: asyncio.Task[None] | None = None  # the warm-up in the background
        self.rendered = 0  # renders started (the tests and the bench read them)
        self.served = 0  # answers from the cache or from a render in progress

    def later(self, render: Callable[..., bytes], *args: Any) -> Later:
        """The document `render(*args)` will make, named by its content."""
        key = content_key(render, *args)
        return Later(key, partial(self.make, key, render, *args))

    async def make(self, key: str, render: Callable[..., bytes], *args: Any) -> bytes:
        """The bytes of `key`: from the cache, from a render in progress, or rendered now."""
        if (found := self._cache.get(key)) is not None:
            self._cache.move_to_end(key)
            self.served += 1
            metrics.document("cached")
            return found
        if (making := self._making.get(key)) is not None:
            self.served += 1
            metrics.document("cached")
            try:
                return await asyncio.shield(making)
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if not making.cancelled() or (task is not None and task.cancelling()):
                    raise  # this request itself was cancelled
                return await self.make(key, render, *args)  # the first asker went away
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._making[key] = future
        try:
            made = await self._render(render, args)
        except asyncio.CancelledError:
            future.cancel()  # those waiting for it ask again
            raise
        except Exception as error:
            future.set_exception(error)
            future.exception()  # read: nobody else may be waiting
            raise
        finally:
            del self._making[key]
        future.set_result(made)
        self._keep(key, made)
        return made

    async def _render(self, render: Callable[..., bytes], args: tuple[Any, ...]) -> bytes:
        """One render in the pool (or on the loop for the baseline)."""
        self.rendered += 1
        metrics.document("rendered")
        if self.pool == "inline":
            return render(*args)
        if self.warming is not None and not self.warming.done():
            # Asked while the pool warms: the warming worker is ready first; asked now, the
            # pool would start a second one, cold, for this document.
            await asyncio.wait({self.warming})
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._pool(), render, *args)
        except BrokenProcessPool:  # a worker died (killed, out of memory): a fresh pool next
            log.warning("render pool broken; starting a new one")
            self._executor = None
            raise

    def warm(self, render: Callable[..., bytes], *args: Any) -> None:
        """Start the process pool now with one worker that makes `render(*args)`, in the
        background (neither kept nor counted): the first document then finds a worker started
        and its libraries imported. One worker: the first document needs one, and two starting
        at once on a two-core server slowed each other down. Only the process pool is cold."""
        if self.pool == "process" and self.warming is None:
            self.warming = asyncio.create_task(self._warm(render, args), name="render-warm")

    async def _warm(self, render: Callable[..., bytes], args: tuple[Any, ...]) -> None:
        """The small render, in the pool's first worker."""
        pool = self._pool()
        try:
            await asyncio.get_running_loop().run_in_executor(pool, render, *args)
        except BrokenProcessPool:
            log.warning("render pool broken while warming; starting a new one")
            if self._executor is pool:
                self._executor = None
        except Exception:
            log.warning("render pool not warmed", exc_info=True)

    def _pool(self) -> Executor:
        """The pool, started on first use."""
        if self._executor is None:
            if self.pool == "process":
                # spawn: a fork would copy the loop's threads and sockets into the child
                context = multiprocessing.get_context("spawn")
                self._executor = ProcessPoolExecutor(self.workers, mp_context=context)
            else:
                self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="render")
        return self._executor

    def _keep(self, key: str, made: bytes) -> None:
        """Cache the bytes; the least recently used go first when over the budget."""
        if len(made) > self.cache_bytes:
            return
        self._cache[key] = made
        self._held += len(made)
        while self._held > self.cache_bytes:
            _, dropped = self._cache.popitem(last=False)
            self._held -= len(dropped)

    @property
    def cached_bytes(self) -> int:
        """Bytes held in the cache."""
        return self._held

    def close(self) -> None:
        """Stop the pool without waiting: what waits is cancelled, what renders is finished."""
        if self.warming is not None:
            self.warming.cancel()  # its renders are in the pool: cancelled or finished there
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    async def stop(self) -> None:
        """Stop the pool and wait, off the loop, for its workers to end (each finishes the
        document it renders): a stopped bot leaves no process behind."""
        if self.warming is not None:
            self.warming.cancel()
        executor, self._executor = self._executor, None
        if executor is not None:
            await asyncio.to_thread(executor.shutdown, wait=True, cancel_futures=True)


def content_key(render: Callable[..., bytes], *args: Any) -> str:
    """A hash of what a render is made from: the function and its pickled inputs."""
    digest = hashlib.sha256(f"{render.__module__}.{render.__qualname__}".encode())
    digest.update(pickle.dumps(args, protocol=pickle.HIGHEST_PROTOCOL))
    return digest.hexdigest()


async def made(messages: list[Out], gettext: Callable[[str], str] | None = None) -> list[Out]:
    """The messages with every document's bytes made; one that fails is logged and replaced
    by a word of apology in the person's language (`gettext`), or left out without one."""
    if not any(isinstance(m, Document) and isinstance(m.content, Later) for m in messages):
        return messages
    done: list[Out] = []
    for message in messages:
        if isinstance(message, Document) and isinstance(message.content, Later):
            try:
                message = replace(message, content=await message.content.make())
            except LaterLost:  # a reply kept across a crash: the person asks again
                log.warning("document not made after a restart: %s", message.filename)
                metrics.document("failed")
                if gettext is not None:
                    done.append(Say(not_made_text(gettext)))
                continue
            except Exception:
                log.exception("document not made: %s", message.filename)
                metrics.document("failed")
                if gettext is not None:
                    done.append(Say(not_made_text(gettext)))
                continue
        done.append(message)
    return done


def not_made_text(gettext: Callable[[str], str]) -> str:
    """What a person reads instead of a document that could not be made."""
    _ = gettext
    return _("Ce document n'a pas pu être préparé. Redemandez-le dans un moment, s'il vous plaît.")
