"""Reading the interface's strings at start runs in a thread nobody awaits: a failure is
said in the log, a success says nothing."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.app import _sources_read


async def test_a_failed_read_of_the_strings_at_start_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    failed: asyncio.Future[object] = asyncio.get_running_loop().create_future()
    failed.set_exception(SystemError("AST constructor recursion depth mismatch"))
    read: asyncio.Future[object] = asyncio.get_running_loop().create_future()
    read.set_result(object())
    with caplog.at_level(logging.INFO, logger="imaginecole"):
        _sources_read(failed)
        _sources_read(read)
    assert [r.getMessage() for r in caplog.records] == [
        "reading the interface's strings at start failed: "
        "SystemError('AST constructor recursion depth mismatch')"
    ]
