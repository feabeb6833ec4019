"""The verification code: a compact payload and its Ed25519 signature, in base32.

The payload is "id|name|course|YYYY-MM-DD|score" in UTF-8; the code is base32 (RFC 4648,
upper case, no padding) of the payload followed by the 64-byte signature. Base32 keeps the
code to letters and digits (it survives being typed or read aloud) and QR codes encode it
compactly. A code must be the canonical encoding: a changed padding bit in the last
character would otherwise decode to the same bytes.
"""

from __future__ import annotations

import base64
import binascii
import os
from datetime import date
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from dialogs.certificate_ports import Certificate

SIGNATURE = 64  # bytes of an Ed25519 signature
SEP = "|"
MAX_NAME = 60


def payload(certificate: Certificate) -> bytes:
    """The signed text of a certificate."""
    name = " ".join(certificate.name.replace(SEP, " ").split())[:MAX_NAME]
    fields = (
        str(certificate.id),
        name,
        certificate.course_id,
        certificate.issued_on.isoformat(),
        str(certificate.score),
    )
    return SEP.join(fields).encode()


def sign(key: Ed25519PrivateKey, certificate: Certificate) -> str:
    """The verification code of a certificate."""
    data = payload(certificate)
    return base64.b32encode(data + key.sign(data)).decode().rstrip("=")


def verify(public: Ed25519PublicKey, code: str) -> Certificate | None:
    """What the code certifies, or None when any character of it was changed."""
    raw = _decode(code.strip())
    if raw is None or len(raw) <= SIGNATURE:
        return None
    data, signature = raw[:-SIGNATURE], raw[-SIGNATURE:]
    try:
        public.verify(signature, data)
    except InvalidSignature:
        return None
    return _parse(data)


def _decode(code: str) -> bytes | None:
    """The bytes of a canonical base32 code; None for anything else."""
    try:
        raw = base64.b32decode(code + "=" * (-len(code) % 8))
    except (binascii.Error, ValueError):
        return None
    return raw if base64.b32encode(raw).decode().rstrip("=") == code else None


def _parse(data: bytes) -> Certificate | None:
    """The certificate of a signed payload."""
    try:
        ident, name, course, issued, score = data.decode().split(SEP)
        return Certificate(int(ident), name, course, date.fromisoformat(issued), int(score))
    except ValueError:
        return None


def private_from_text(text: str) -> Ed25519PrivateKey:
    """A private key from its base64 raw 32 bytes (CERTIFICATE_SIGNING_KEY)."""
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(text.strip(), validate=True))


def private_to_text(key: Ed25519PrivateKey) -> str:
    """The base64 text of a private key's raw 32 bytes."""
    from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

    raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return base64.b64encode(raw).decode()


def public_to_text(key: Ed25519PublicKey) -> str:
    """The base64 text of a public key's raw 32 bytes."""
    return base64.b64encode(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def public_from_text(text: str) -> Ed25519PublicKey:
    """A public key from its base64 raw 32 bytes."""
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(text.strip(), validate=True))


def key_file(database_url: str) -> Path:
    """Where a generated key is kept: beside the SQLite file, or in ./var with PostgreSQL."""
    if database_url.startswith("sqlite"):
        path = database_url.split("///", 1)[-1]
        if path and path != ":memory:":
            return Path(path).resolve().parent / "certificate_signing.key"
    return Path("var") / "certificate_signing.key"


def load_key(configured: str, database_url: str) -> Ed25519PrivateKey:
    """The configured key, else the one kept in the data folder (made on first use)."""
    if configured:
        return private_from_text(configured)
    path = key_file(database_url)
    if path.exists():
        return private_from_text(path.read_text())
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Several workers may start together: the first key linked into place wins, the others
    # read it, so every process signs with the same key.
    draft = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    draft.write_text(private_to_text(key) + "\n")
    draft.chmod(0o600)
    try:
        os.link(draft, path)
    except FileExistsError:
        return private_from_text(path.read_text())
    finally:
        draft.unlink()
    return key
