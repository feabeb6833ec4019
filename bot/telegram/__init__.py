"""Telegram: PTB on our aiohttp transport, updates to events, replies to Bot API calls."""

import os

# PTB 22 warns on every RetryAfter unless retry_after is a timedelta; opt in to that now.
os.environ.setdefault("PTB_TIMEDELTA", "true")
