"""`python -m bot certificate public-key | verify CODE [--public-key KEY]`, offline."""

from __future__ import annotations

from bot.certificates import signing
from bot.config import Settings


def public_key(settings: Settings) -> int:
    """Print the public key that checks this deployment's certificates."""
    key = signing.load_key(settings.certificate_signing_key, settings.database_url)
    print(signing.public_to_text(key.public_key()))
    return 0


def verify(settings: Settings, code: str, public: str | None) -> int:
    """Print what a code certifies, or INVALID (exit 1)."""
    if public:
        checker = signing.public_from_text(public)
    else:
        checker = signing.load_key(
            settings.certificate_signing_key, settings.database_url
        ).public_key()
    found = signing.verify(checker, code)
    if found is None:
        print("INVALID")
        return 1
    print(f"holder: {found.name}")
    print(f"course: {found.course_id}")
    print(f"date: {found.issued_on.isoformat()}")
    print(f"score: {found.score}%")
    print(f"certificate: {found.id}")
    return 0
