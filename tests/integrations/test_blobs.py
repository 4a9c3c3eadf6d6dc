"""Content-addressed scans on disk: same bytes same key, and tampering is caught."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from integrations.blobs import BlobNotFound, FileBlobStore
from models.payloads import BlobRef

SCAN = b"%PDF-1.4 scan of the sales contract\n" * 1000


def test_put_returns_a_reference_that_stat_and_verify_agree_with(tmp_path: Path) -> None:
    store = FileBlobStore(tmp_path / "blobs")
    ref = store.put(io.BytesIO(SCAN))
    digest = hashlib.sha256(SCAN).hexdigest()
    assert ref == BlobRef(key=f"sha256/{digest}", size=len(SCAN), sha256=digest)
    assert store.stat(ref.key) == ref
    assert store.verify(ref)
    with store.open(ref.key) as f:
        assert f.read() == SCAN


def test_same_bytes_give_the_same_key_and_one_file(tmp_path: Path) -> None:
    store = FileBlobStore(tmp_path / "blobs")
    first = store.put(io.BytesIO(SCAN))
    second = store.put(io.BytesIO(SCAN))
    other = store.put(io.BytesIO(SCAN + b"x"))
    assert first == second and other.key != first.key
    stored = [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()]
    assert len(stored) == 2  # no temp files left behind either


def test_large_scan_spanning_chunks_round_trips(tmp_path: Path) -> None:
    store = FileBlobStore(tmp_path / "blobs")
    data = bytes(range(256)) * 9000  # > 2 MiB, several read chunks
    ref = store.put(io.BytesIO(data))
    assert ref.size == len(data) and store.verify(ref)


def test_a_tampered_file_no_longer_verifies(tmp_path: Path) -> None:
    store = FileBlobStore(tmp_path / "blobs")
    ref = store.put(io.BytesIO(SCAN))
    path = tmp_path / "blobs" / ref.sha256[:2] / ref.sha256
    path.write_bytes(SCAN.replace(b"sales", b"SALES"))  # same size, other bytes
    assert not store.verify(ref)
    path.write_bytes(SCAN + b"\n")
    assert not store.verify(ref)


def test_a_reference_with_a_wrong_size_or_hash_does_not_verify(tmp_path: Path) -> None:
    store = FileBlobStore(tmp_path / "blobs")
    ref = store.put(io.BytesIO(SCAN))
    assert not store.verify(ref.model_copy(update={"size": ref.size - 1}))
    assert not store.verify(ref.model_copy(update={"sha256": "0" * 64}))


@pytest.mark.parametrize(
    "key",
    [
        "md5/0123456789abcdef0123456789abcdef",
        "sha256/" + "0" * 63,
        "sha256/" + "G" * 64,
        "sha256/../../etc/passwd",
        "",
    ],
)
def test_a_malformed_key_is_not_found(tmp_path: Path, key: str) -> None:
    store = FileBlobStore(tmp_path / "blobs")
    with pytest.raises(BlobNotFound, match="expected sha256/<64 hex digits>"):
        store.stat(key)
    with pytest.raises(BlobNotFound):
        store.open(key)
    assert not store.verify(BlobRef(key=key, size=1, sha256="0" * 64))


def test_a_well_formed_key_never_stored_is_not_found(tmp_path: Path) -> None:
    store = FileBlobStore(tmp_path / "blobs")
    key = "sha256/" + hashlib.sha256(b"never uploaded").hexdigest()
    with pytest.raises(BlobNotFound, match="is not stored"):
        store.stat(key)
    with pytest.raises(BlobNotFound, match="is not stored"):
        store.open(key)
    assert not store.verify(BlobRef(key=key, size=14, sha256=key.split("/")[1]))
