"""Blob storage for scans: content-addressed files on disk by default.

Keys are `sha256/<hex>`, so storing the same scan twice stores it once and a reference
in workflow history (key, size, sha256) can always be verified against the bytes.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Protocol

from models.payloads import BlobRef

CHUNK = 1 << 20


class BlobNotFound(LookupError):
    """The key names no stored blob."""


class BlobStore(Protocol):
    def put(self, stream: BinaryIO) -> BlobRef: ...
    def open(self, key: str) -> BinaryIO: ...
    def verify(self, ref: BlobRef) -> bool: ...
    def stat(self, key: str) -> BlobRef: ...


class FileBlobStore:
    """Stores blobs under a directory; writes go through a temp file and an atomic rename."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        algo, _, digest = key.partition("/")
        if (
            algo != "sha256"
            or len(digest) != 64
            or not all(c in "0123456789abcdef" for c in digest)
        ):
            raise BlobNotFound(f"blob key {key!r}: expected sha256/<64 hex digits>")
        return self.root / digest[:2] / digest

    def put(self, stream: BinaryIO) -> BlobRef:
        """Store a stream and return its reference."""
        sha = hashlib.sha256()
        size = 0
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    sha.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            key = f"sha256/{sha.hexdigest()}"
            dest = self._path(key)
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, dest)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return BlobRef(key=key, size=size, sha256=sha.hexdigest())

    def open(self, key: str) -> BinaryIO:
        path = self._path(key)
        if not path.is_file():
            raise BlobNotFound(f"blob {key} is not stored")
        return path.open("rb")

    def stat(self, key: str) -> BlobRef:
        path = self._path(key)
        if not path.is_file():
            raise BlobNotFound(f"blob {key} is not stored")
        return BlobRef(key=key, size=path.stat().st_size, sha256=key.split("/", 1)[1])

    def verify(self, ref: BlobRef) -> bool:
        """Re-hash the stored bytes: a scan altered on disk must not pass review."""
        try:
            with self.open(ref.key) as f:
                sha = hashlib.sha256()
                size = 0
                while chunk := f.read(CHUNK):
                    sha.update(chunk)
                    size += len(chunk)
        except BlobNotFound:
            return False
        return sha.hexdigest() == ref.sha256 and size == ref.size
