"""Certificates of finished courses: Ed25519-signed codes, a one-page PDF, verification."""
