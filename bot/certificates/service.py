"""Certifier (dialogs/certificate_ports.py): signs with the deployment's key; the PDF is made
after the turn, in the render pool, once per content (bot/rendering.py)."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bot.addresses import page_base
from bot.certificates import signing
from bot.certificates.pdf import render_certificate
from bot.rendering import Renderer
from dialogs.certificate_ports import Certificate, CertificateWording
from dialogs.messages import Later


class SignedCertificates:
    """Certificates signed by one Ed25519 key, verified at {base_url}/verify/<code>."""

    def __init__(
        self, key: Ed25519PrivateKey, base_url: str, renderer: Renderer | None = None
    ) -> None:
        self.renderer = renderer or Renderer(pool="thread")
        self.key = key
        self.public = key.public_key()
        self.base_url = base_url.rstrip("/")
        # False without PUBLIC_URL: a web turn's links use the page's own address.
        self.configured = True

    def code(self, certificate: Certificate) -> str:
        """The signed verification code."""
        return signing.sign(self.key, certificate)

    def link(self, code: str) -> str:
        """The verification link of a code."""
        return f"{page_base(self.base_url, self.configured)}/verify/{code}"

    async def pdf(self, certificate: Certificate, wording: CertificateWording) -> Later:
        """The one-page PDF, made after the turn (the same certificate and words: once)."""
        code = self.code(certificate)
        return self.renderer.later(
            render_certificate, certificate, wording, code, self.link(code), wording.language
        )

    def verify(self, code: str) -> Certificate | None:
        """What a code certifies, or None when it is not genuine."""
        return signing.verify(self.public, code)
