"""Cache entries sealed with a secret of this machine and user, so a cache from elsewhere is never trusted.

The PDF cache lives in the project (``build/.cache/pdf``), and a project is a checkout of other people's work: a
pull request can commit a ``build/.cache/pdf`` whose entries sit under exactly the keys wugu would compute for
its content (the keys are hashes of public inputs) but hold other PDFs. Every entry is therefore stored as
``MAGIC + HMAC-SHA256(secret, key + data) + data``; the secret is 32 random bytes kept outside any project, in
the user's own cache folder (``$XDG_CACHE_HOME/wugu`` or ``~/.cache/wugu``, mode 0600). An entry that was not
sealed here, with this key, is ignored and rendered again. Without a usable secret there is no cache at all.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from functools import cache
from pathlib import Path

MAGIC = b"wugu-sealed-1\n"
_MAC = hashlib.sha256().digest_size


def _secret_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "wugu" / "cache-secret"


@cache
def _secret_at(path: Path) -> bytes | None:
    """The secret stored at ``path``, made on first use; None when it cannot be made or is not ours alone."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as f:
                f.write(secrets.token_bytes(32))
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as f:
            info = os.fstat(f.fileno())
            data = f.read(64)
    except OSError:
        return None
    mine = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    if not stat.S_ISREG(info.st_mode) or not mine or info.st_mode & 0o077 or len(data) != 32:
        return None  # someone else could know or set it: trust no cache
    return data


def secret() -> bytes | None:
    """This user's cache secret (None: caching is off)."""
    return _secret_at(_secret_file())


def seal(key: str, data: bytes) -> bytes | None:
    """``data`` as a cache entry for ``key`` (None when there is no secret to seal with)."""
    s = secret()
    if s is None:
        return None
    return MAGIC + hmac.new(s, key.encode() + b"\0" + data, hashlib.sha256).digest() + data


def unseal(key: str, entry: bytes) -> bytes | None:
    """The data of a cache entry if it was sealed on this machine by this user for ``key``; otherwise None."""
    s = secret()
    if s is None or not entry.startswith(MAGIC) or len(entry) < len(MAGIC) + _MAC:
        return None
    mac, data = entry[len(MAGIC):len(MAGIC) + _MAC], entry[len(MAGIC) + _MAC:]
    expected = hmac.new(s, key.encode() + b"\0" + data, hashlib.sha256).digest()
    return data if hmac.compare_digest(mac, expected) else None


def read_entry(path: Path, key: str, limit: int) -> bytes | None:
    """The data of the sealed cache entry at ``path`` for ``key`` (None: missing, too big, a link, not sealed here)."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > limit:
            return None
        return unseal(key, path.read_bytes())
    except OSError:
        return None


def write_entry(path: Path, key: str, data: bytes) -> bool:
    """Store ``data`` sealed for ``key`` at ``path`` (best-effort: False when there is no secret, the folder is a
    planted link, or the disk refuses)."""
    from ..output import write_atomic

    entry = seal(key, data)
    if entry is None or path.parent.is_symlink():
        return False
    try:
        path.unlink(missing_ok=True)  # never write through a link planted in the cache
        write_atomic(path, entry)
    except OSError:
        return False
    return True
