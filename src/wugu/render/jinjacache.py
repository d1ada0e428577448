"""Compiled Jinja2 templates kept between runs, sealed like the PDF cache (see :mod:`wugu.render.sealed`).

Compiling the templates of a site build — mkdocs-material's theme and wugu's own page templates, about 180 of
them — costs about 0.6 s of every build, for the same templates each time. Jinja2 can keep the compiled code
(``marshal`` data, which *runs* when loaded), so the cache must never be something another person could have
written: it lives in the user's own cache folder (``$XDG_CACHE_HOME/wugu/jinja`` or ``~/.cache/wugu/jinja``, never
in a project), and every entry is sealed with this user's secret (HMAC): an entry that was not sealed here, for
this template and this Python and Jinja2, is ignored and the template is compiled as usual. Without a usable
secret there is no cache. The output does not change: Jinja2 checks each entry against the template's source.
"""
from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket, BytecodeCache

from ..output import write_atomic
from .sealed import _secret_file, seal, secret, unseal

#: Entries are read back only by the same Python (marshal) and the same Jinja2 (its code generator).
_TAG = f"py{sys.version_info[0]}{sys.version_info[1]}-jinja{jinja2.__version__}"
#: Largest entry read back (compiled templates are a few KB; material's base.html about 100 KB).
_MAX = 4 * 1024 * 1024


class SealedBytecodeCache(BytecodeCache):
    """Jinja2's bytecode cache in the user's cache folder, each entry sealed (see the module's description)."""

    def __init__(self, folder: Path):
        self.folder = folder

    def _path(self, bucket: Bucket) -> tuple[Path, str]:
        key = hashlib.sha256(f"{_TAG}\0{bucket.key}".encode()).hexdigest()
        return self.folder / f"{key}.cache", key

    def load_bytecode(self, bucket: Bucket) -> None:
        path, key = self._path(bucket)
        try:
            if path.is_symlink() or not path.is_file() or path.stat().st_size > _MAX:
                return
            data = unseal(key, path.read_bytes())
        except OSError:
            return
        if data is not None:
            from io import BytesIO

            bucket.load_bytecode(BytesIO(data))  # checks Jinja2's magic and the template source's checksum

    def dump_bytecode(self, bucket: Bucket) -> None:
        path, key = self._path(bucket)
        from io import BytesIO

        out = BytesIO()
        bucket.write_bytecode(out)
        entry = seal(key, out.getvalue())
        if entry is None:
            return
        try:
            path.unlink(missing_ok=True)  # never write through a planted link
            write_atomic(path, entry)
        except OSError:  # best-effort: a read-only or full disk only costs the compile
            pass


def bytecode_cache() -> SealedBytecodeCache | None:
    """The cache for a Jinja2 environment, or None (no usable secret, or its folder is not ours alone).
    ``WUGU_NO_JINJA_CACHE=1`` switches it off (to measure against)."""
    if os.environ.get("WUGU_NO_JINJA_CACHE") or secret() is None:
        return None
    folder = _secret_file().parent / "jinja"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = os.lstat(folder)
    except OSError:
        return None
    import stat

    mine = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    if not stat.S_ISDIR(info.st_mode) or not mine or info.st_mode & 0o022:
        return None
    return SealedBytecodeCache(folder)
