"""The national linkage key: 32 random bytes and a version name, kept in a file at the
institution (or in OPSC_LINKAGE_KEY). It never enters the central store and never prints."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from opsc import settings

KEY_HEADER = "opsc-linkage-key 1"
ENV_KEY = "OPSC_LINKAGE_KEY"  # base64 secret
ENV_VERSION = "OPSC_LINKAGE_KEY_VERSION"


class KeyFileError(ValueError):
    """The key file is missing or malformed; the message says which and how to fix it."""


@dataclass(frozen=True)
class LinkageKey:
    version: str
    secret: bytes = field(repr=False)

    def __str__(self) -> str:
        return f"LinkageKey(version={self.version!r}, secret=***)"

    def derive(self, purpose: str) -> bytes:
        """A separate key per field and use, so tokens of different fields never coincide."""
        return hmac.digest(self.secret, f"opsc/{self.version}/{purpose}".encode(), "sha256")


class Hmac:
    """HMAC-SHA256 with the padded key hashed once: same output as `hmac.digest`, several
    times faster for the millions of short messages of a large file."""

    def __init__(self, key: bytes) -> None:
        if len(key) > 64:
            key = hashlib.sha256(key).digest()
        key = key.ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

    def digest(self, message: bytes) -> bytes:
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()


def generate_key(path: Path, version: str) -> LinkageKey:
    """Write a new random key to `path` (refusing to overwrite) with owner-only permissions."""
    if path.exists():
        raise KeyFileError(
            f"{path} already exists; a key is never overwritten. Choose another path."
        )
    if not version or len(version) > 20 or not version.replace("-", "").isalnum():
        raise KeyFileError(f"key version {version!r}: use up to 20 letters, digits or '-'")
    key = LinkageKey(version, secrets.token_bytes(32))
    text = (
        f"{KEY_HEADER}\nversion: {version}\n"
        f"secret: {base64.b64encode(key.secret).decode()}\n"
        f"check: {fingerprint(key)}\n"
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    return key


def fingerprint(key: LinkageKey) -> str:
    """A short public check value: two institutions compare it to know they share a key."""
    return hashlib.sha256(b"opsc-fingerprint" + key.secret).hexdigest()[:12]


def load_key(path: Path | None = None) -> LinkageKey:
    """The key from `path`, else from the OPSC_LINKAGE_KEY(_VERSION) environment variables."""
    if path is None:
        secret = settings.get("linkage_key")
        if not secret:
            raise KeyFileError(f"no key: pass --key KEYFILE or set {ENV_KEY} and {ENV_VERSION}")
        return LinkageKey(settings.get("linkage_key_version"), base64.b64decode(secret))
    if not path.is_file():
        raise KeyFileError(f"{path}: key file not found; create one with `opsc keygen {path}`")
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or lines[0].strip() != KEY_HEADER:
        raise KeyFileError(f"{path}: not an OPSC linkage key (first line must be {KEY_HEADER!r})")
    values = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    try:
        key = LinkageKey(values["version"].strip(), base64.b64decode(values["secret"].strip()))
    except (KeyError, ValueError) as exc:
        raise KeyFileError(f"{path}: damaged key file ({exc}); restore it from the backup") from exc
    if len(key.secret) < 32:
        raise KeyFileError(f"{path}: the secret is shorter than 32 bytes")
    if "check" in values and values["check"].strip() != fingerprint(key):
        raise KeyFileError(f"{path}: check value does not match; the file was altered")
    return key
