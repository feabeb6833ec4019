"""Logging: one line per event, with the channel and a pseudonymous user id, never text."""

from __future__ import annotations

import logging
import sys


def setup_logging(level: str = "INFO") -> None:
    """Plain one-line records on stderr; chatty libraries are kept at WARNING."""
    logging.basicConfig(
        level=level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        force=True,
    )
    for noisy in ("httpx", "telegram", "aiohttp.access", "alembic.runtime.plugins", "fontTools"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
