"""Settings from environment variables and an optional .env file (see .env.example)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from dotenv import load_dotenv

from bot.flood import DEFAULT_ADDRESS_FLOOD_LIMIT, DEFAULT_FLOOD_LIMIT
from content.library import DEFAULT_LIBRARY

TELEGRAM_API = "https://api.telegram.org"
GRAPH_API = "https://graph.facebook.com"
GRAPH_API_VERSION = "v21.0"


def _flag(value: str | None, default: bool) -> bool:
    """ "1", "true", "yes", "on" are true; anything else false; unset is the default."""
    if value is None or not value.strip():
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    """Everything the process can be configured with."""

    database_url: str = "sqlite:///var/imaginecole.db"
    web_host: str = "0.0.0.0"
    web_port: int = 8080
    public_url: str = ""  # how learners reach the web chat (booklet links and QR codes)
    # How long the web chat's links to the files the bot sent (booklets, certificates,
    # charts) keep opening, in hours.
    web_file_hours: float = 48.0
    default_locale: str = "fr"
    library_path: Path = DEFAULT_LIBRARY
    authored_dir: str = ""  # teachers' course files; empty: beside the SQLite file, or ./var
    log_level: str = "INFO"
    log_format: str = "text"  # "json": one JSON object per line (production)
    pseudonym_secret: bytes = b""
    telegram_bot_token: str = ""
    telegram_api_base_url: str = TELEGRAM_API
    telegram_webhook_url: str = ""
    telegram_webhook_secret: str = ""
    telegram_native_polls: bool = True
    portal_api_token: str = ""  # read-only JSON API for a national portal; empty: off
    metrics_token: str = ""  # bearer token of /metrics (Prometheus); empty: no /metrics
    sender_enabled: bool = True  # this process works through the broadcast outbox
    broadcast_rate_telegram: float = 25.0  # messages/s; Telegram allows ~30: room for replies
    # Seconds before another worker takes over what a crashed one claimed: an announcement
    # being sent (bot/sender.py), a reply committed and not sent (bot/resend.py).
    broadcast_lease_seconds: float = 60.0
    reply_lease_seconds: float = 10.0
    # How stale a worker's strings reviewed by translators may be (bot/storage/translations.py).
    translations_refresh_seconds: float = 5.0
    # Start the render pool with a tiny chart right after start-up (bot/rendering.py). On from
    # the environment (RENDER_WARM); off for settings built in code (tests, benches), where it
    # would cost each started bot two interpreters importing matplotlib.
    render_warm: bool = False
    broadcast_rate_whatsapp: float = 20.0  # messages/s; the number's throughput tier allows 80
    whatsapp_access_token: str = ""
    whatsapp_phone_number_id: str = ""
    whatsapp_display_number: str = ""  # the number people write to, digits only (wa.me links)
    whatsapp_app_secret: str = ""
    whatsapp_verify_token: str = ""
    whatsapp_api_base_url: str = GRAPH_API
    whatsapp_api_version: str = GRAPH_API_VERSION
    whatsapp_template_name: str = ""  # an approved template for outside the 24-hour window
    whatsapp_template_language: str = "fr"
    whatsapp_template_params: str = ""  # "text": the held message's text as {{1}}
    whatsapp_pace_seconds: float = 0.3  # between two messages to one learner: kept in order
    whatsapp_backoff_seconds: float = 1.0  # first wait after a rate limit, doubled each retry
    moderation_words_file: str = ""  # more words that hold circle messages (TOML, per language)
    certificate_signing_key: str = ""  # base64 Ed25519 key; empty: kept in the data folder
    reminder_quiet_hours: str = "21:00-07:00"  # learners' local time: no reminder then
    # "burst,per_minute" (bot/flood.py); empty here means no limit (tests build Settings by
    # hand), while from_env's default is DEFAULT_FLOOD_LIMIT.
    flood_limit: str = ""
    media_daily_budget_kb: int = 2048  # light data: media a learner may ask for a day; 0: no limit
    # Resources (bot/connections.py, bot/web/chat.py, bot/log_repeats.py); 0 turns one off.
    max_connections: int = 4096  # open HTTP connections in all (kept under the descriptor limit)
    max_connections_per_address: int = 256  # from one client address (not a trusted proxy)
    trusted_proxies: str = ""  # reverse proxies (addresses, networks, "*"): bot/addresses.py
    header_timeout: float = 10.0  # seconds for a request's headers to arrive whole
    keepalive_timeout: float = 150.0  # idle keep-alive: longer than the proxy's own (Caddy: 2 min)
    web_hello_timeout: float = 10.0  # seconds for a new web chat socket to say hello
    web_sockets_per_address: int = 64  # open web chat sockets from one address
    # Web chat frames per address, "burst,per_minute" like FLOOD_LIMIT (a school's shared
    # address has many learners); empty here means no limit, from_env's default is set.
    web_address_flood_limit: str = ""
    log_repeat_limit: int = 20  # identical log lines a minute before they are summarised
    inbound_budget_seconds: float = 60.0  # one inbound item's handling, reply included
    inbound_attempts: int = 3  # tries of an inbound item before it is parked (dead letters)
    # Learning records (docs/xapi.md): the LRS's xAPI endpoint (its /statements is posted
    # to) and its basic-auth credentials; empty URL: journalled, not sent.
    ussd_secret: str = ""  # the path token of the USSD callback (/ussd/<secret>); empty: off
    ussd_service_code: str = ""  # e.g. *384*123#: callbacks for another code are refused
    ussd_format: str = "africastalking"  # the aggregator's callback format (bot/ussd/formats.py)
    xapi_lrs_url: str = ""
    xapi_lrs_username: str = ""
    xapi_lrs_password: str = ""
    xapi_activity_base: str = ""  # activities' IRI base; empty: <PUBLIC_URL>/xapi
    # Days a journal row is kept whole once the LRS and/or the national instance have it
    # (then pruned to its id by the housekeeping); 0: never pruned.
    xapi_keep_days: int = 30
    # SMS through Kannel (bot/sms/): smsbox's sendsms interface, its user and password, the
    # sender shown (an alphanumeric id or the shortcode), the number learners write to, the
    # secret Kannel's get-url and dlr-url carry, texts a learner gets a day, and broadcasts'
    # messages per second (the SMSC's throughput).
    sms_kannel_url: str = ""
    sms_kannel_user: str = ""
    sms_kannel_password: str = ""
    sms_sender_id: str = ""
    sms_shortcode: str = ""
    sms_secret: str = ""
    sms_callback_url: str = ""  # how Kannel reaches the bot (dlr-url); empty: PUBLIC_URL
    sms_daily_budget: int = 20  # SMS (segments) the bot sends one learner a day; 0: no limit
    sms_pace: float = 5.0  # broadcast SMS a second

    @property
    def sms_enabled(self) -> bool:
        """SMS is served when smsbox's address and the callbacks' secret are configured."""
        return bool(self.sms_kannel_url and self.sms_secret)

    # School servers (docs/sync.md). A school: the national instance's address and this
    # school's token; SYNC_EVERY seconds between two syncs while it runs (0: only
    # `python -m bot sync`); SYNC_MAX_KB, what one sync may move (0: no limit).
    sync_url: str = ""
    sync_token: str = ""
    sync_every: float = 0.0
    sync_max_kb: int = 0
    sync_country: str = ""  # the school's country code: the national announcements it takes
    # The national instance: the schools it takes, `name:token,name:token`; empty: no /sync.
    sync_schools: str = ""
    # By file (`sync export|import`): this school's name (as in SYNC_SCHOOLS); on the
    # national instance the schools' public keys, `name:key,...`; on a school the national
    # instance's public key (`python -m bot certificate public-key` prints one).
    sync_school: str = ""
    sync_school_keys: str = ""
    sync_national_key: str = ""

    @property
    def whatsapp_enabled(self) -> bool:
        """WhatsApp is served when the number, its token and the app secret are configured."""
        return bool(
            self.whatsapp_access_token
            and self.whatsapp_phone_number_id
            and self.whatsapp_app_secret
        )

    @classmethod
    def from_env(cls, env_file: str | None = ".env") -> Settings:
        """Read the environment (after loading .env when it exists)."""
        if env_file and Path(env_file).exists():
            load_dotenv(env_file, override=False)
        env = os.environ
        return cls(
            database_url=env.get("DATABASE_URL") or cls.database_url,
            web_host=env.get("WEB_HOST") or cls.web_host,
            web_port=int(env.get("WEB_PORT") or cls.web_port),
            public_url=(env.get("PUBLIC_URL") or "").rstrip("/"),
            web_file_hours=float(env.get("WEB_FILE_HOURS") or 48.0),
            default_locale=env.get("DEFAULT_LOCALE") or cls.default_locale,
            library_path=Path(env.get("LIBRARY_PATH") or DEFAULT_LIBRARY),
            authored_dir=env.get("AUTHORED_DIR", ""),
            log_level=(env.get("LOG_LEVEL") or cls.log_level).upper(),
            log_format=_log_format(env.get("LOG_FORMAT")),
            pseudonym_secret=_secret(env.get("PSEUDONYM_SECRET")),
            telegram_bot_token=env.get("TELEGRAM_BOT_TOKEN", ""),
            telegram_api_base_url=(env.get("TELEGRAM_API_BASE_URL") or TELEGRAM_API).rstrip("/"),
            telegram_webhook_url=env.get("TELEGRAM_WEBHOOK_URL", ""),
            telegram_webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET", ""),
            telegram_native_polls=_flag(env.get("TELEGRAM_NATIVE_POLLS"), True),
            portal_api_token=env.get("PORTAL_API_TOKEN", ""),
            metrics_token=env.get("METRICS_TOKEN", ""),
            sender_enabled=_flag(env.get("SENDER_ENABLED"), True),
            broadcast_rate_telegram=float(env.get("BROADCAST_RATE_TELEGRAM") or 25.0),
            broadcast_rate_whatsapp=float(env.get("BROADCAST_RATE_WHATSAPP") or 20.0),
            broadcast_lease_seconds=float(env.get("BROADCAST_LEASE_SECONDS") or 60.0),
            reply_lease_seconds=float(env.get("REPLY_LEASE_SECONDS") or 10.0),
            translations_refresh_seconds=float(env.get("TRANSLATIONS_REFRESH_SECONDS") or 5.0),
            render_warm=_flag(env.get("RENDER_WARM"), True),
            whatsapp_access_token=env.get("WHATSAPP_ACCESS_TOKEN", ""),
            whatsapp_phone_number_id=env.get("WHATSAPP_PHONE_NUMBER_ID", ""),
            whatsapp_display_number="".join(
                c for c in env.get("WHATSAPP_DISPLAY_NUMBER", "") if c.isdigit()
            ),
            whatsapp_app_secret=env.get("WHATSAPP_APP_SECRET", ""),
            whatsapp_verify_token=env.get("WHATSAPP_VERIFY_TOKEN", ""),
            whatsapp_api_base_url=(env.get("WHATSAPP_API_BASE_URL") or GRAPH_API).rstrip("/"),
            whatsapp_api_version=env.get("WHATSAPP_API_VERSION") or GRAPH_API_VERSION,
            whatsapp_template_name=env.get("WHATSAPP_TEMPLATE_NAME", ""),
            whatsapp_template_language=env.get("WHATSAPP_TEMPLATE_LANGUAGE") or "fr",
            whatsapp_template_params=env.get("WHATSAPP_TEMPLATE_PARAMS", ""),
            whatsapp_pace_seconds=float(env.get("WHATSAPP_PACE_SECONDS") or 0.3),
            whatsapp_backoff_seconds=float(env.get("WHATSAPP_BACKOFF_SECONDS") or 1.0),
            moderation_words_file=env.get("MODERATION_WORDS_FILE", ""),
            certificate_signing_key=env.get("CERTIFICATE_SIGNING_KEY", ""),
            reminder_quiet_hours=env.get("REMINDER_QUIET_HOURS") or "21:00-07:00",
            flood_limit=env.get("FLOOD_LIMIT", DEFAULT_FLOOD_LIMIT),
            media_daily_budget_kb=int(env.get("MEDIA_DAILY_BUDGET_KB") or 2048),
            max_connections=_int(env.get("MAX_CONNECTIONS"), cls.max_connections),
            max_connections_per_address=_int(
                env.get("MAX_CONNECTIONS_PER_ADDRESS"), cls.max_connections_per_address
            ),
            trusted_proxies=env.get("TRUSTED_PROXIES", ""),
            header_timeout=_float(env.get("HEADER_TIMEOUT"), cls.header_timeout),
            keepalive_timeout=_float(env.get("KEEPALIVE_TIMEOUT"), cls.keepalive_timeout),
            web_hello_timeout=_float(env.get("WEB_HELLO_TIMEOUT"), cls.web_hello_timeout),
            web_sockets_per_address=_int(
                env.get("WEB_SOCKETS_PER_ADDRESS"), cls.web_sockets_per_address
            ),
            web_address_flood_limit=env.get("WEB_ADDRESS_FLOOD_LIMIT", DEFAULT_ADDRESS_FLOOD_LIMIT),
            log_repeat_limit=_int(env.get("LOG_REPEAT_LIMIT"), cls.log_repeat_limit),
            inbound_budget_seconds=float(env.get("INBOUND_BUDGET_SECONDS") or 60.0),
            inbound_attempts=max(1, int(env.get("INBOUND_ATTEMPTS") or 3)),
            ussd_secret=env.get("USSD_SECRET", ""),
            ussd_service_code=env.get("USSD_SERVICE_CODE", "").strip(),
            ussd_format=(env.get("USSD_FORMAT") or "africastalking").strip().lower(),
            xapi_lrs_url=(env.get("XAPI_LRS_URL") or "").rstrip("/"),
            xapi_lrs_username=env.get("XAPI_LRS_USERNAME", ""),
            xapi_lrs_password=env.get("XAPI_LRS_PASSWORD", ""),
            xapi_activity_base=(env.get("XAPI_ACTIVITY_BASE") or "").rstrip("/"),
            xapi_keep_days=max(0, _int(env.get("XAPI_KEEP_DAYS"), 30)),
            sms_kannel_url=(env.get("SMS_KANNEL_URL") or "").rstrip("/"),
            sms_kannel_user=env.get("SMS_KANNEL_USER", ""),
            sms_kannel_password=env.get("SMS_KANNEL_PASSWORD", ""),
            sms_sender_id=env.get("SMS_SENDER_ID", ""),
            sms_shortcode=env.get("SMS_SHORTCODE", ""),
            sms_secret=env.get("SMS_SECRET", ""),
            sms_callback_url=(env.get("SMS_CALLBACK_URL") or "").rstrip("/"),
            sms_daily_budget=_int(env.get("SMS_DAILY_BUDGET"), cls.sms_daily_budget),
            sms_pace=_float(env.get("SMS_PACE"), cls.sms_pace),
            sync_url=(env.get("SYNC_URL") or "").rstrip("/"),
            sync_token=env.get("SYNC_TOKEN", ""),
            sync_every=_float(env.get("SYNC_EVERY"), 0.0),
            sync_max_kb=_int(env.get("SYNC_MAX_KB"), 0),
            sync_country=env.get("SYNC_COUNTRY", "").strip().upper(),
            sync_schools=env.get("SYNC_SCHOOLS", ""),
            sync_school=env.get("SYNC_SCHOOL", ""),
            sync_school_keys=env.get("SYNC_SCHOOL_KEYS", ""),
            sync_national_key=env.get("SYNC_NATIONAL_KEY", ""),
        )


def _int(value: str | None, default: int) -> int:
    """An integer setting; unset or blank is the default (0 is kept: it turns a cap off)."""
    return int(value) if value and value.strip() else default


def _float(value: str | None, default: float) -> float:
    """A number of seconds; unset or blank is the default."""
    return float(value) if value and value.strip() else default


def _secret(value: str | None) -> bytes:
    """The pseudonym key: configured, else a random one (pseudonyms change per restart)."""
    return value.encode() if value else secrets.token_bytes(32)


def _log_format(value: str | None) -> str:
    """`text` (the default, for development) or `json` (production); a typo is an error."""
    chosen = (value or "text").strip().lower()
    if chosen not in ("text", "json"):
        raise ValueError(f"LOG_FORMAT must be text or json, not {value!r}")
    return chosen
