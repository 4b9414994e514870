"""Field-level protection of personal codes: AES-GCM ciphertext plus a keyed digest for look-ups.

Only code that has checked the reader's capability calls :func:`reveal`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings


def _key(purpose: bytes) -> bytes:
    return hashlib.sha256(purpose + settings.FIELD_ENCRYPTION_KEY.encode()).digest()


def seal(plaintext: str) -> str:
    nonce = os.urandom(12)
    ciphertext = AESGCM(_key(b"kopiena.field.v1:")).encrypt(nonce, plaintext.encode(), None)
    return base64.b64encode(nonce + ciphertext).decode("ascii")


def reveal(sealed: str) -> str:
    raw = base64.b64decode(sealed)
    return AESGCM(_key(b"kopiena.field.v1:")).decrypt(raw[:12], raw[12:], None).decode()


def digest(plaintext: str) -> str:
    return hmac.new(_key(b"kopiena.digest.v1:"), plaintext.encode(), hashlib.sha256).hexdigest()
