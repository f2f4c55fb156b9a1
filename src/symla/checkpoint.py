"""Checkpoints and atomic files: msgpack (flax.serialization, no pickle), temp file + rename.

Two formats, both portable:
- Resumable ES state (``save_state`` / ``read_state``): one self-verifying file. The payload's
  sha256 is stored inside the same file, so there is no second file to get out of step with it:
  a file that exists under its final name was renamed there complete, and one that does not
  verify is reported as damaged and skipped in favour of the previous checkpoint, never deleted.
- Published meta-parameters (``save`` / ``load``): ``X.msgpack`` plus ``X.msgpack.sha256``,
  the format the committed reference's hashes are recorded in. It is written once, at the end
  of a run, from the last state checkpoint, so an interrupted write is repaired by rerunning
  the training step (which resumes at that checkpoint and writes it again).
Every write goes to ``.<name>.<random>.tmp`` in the target's directory, is fsynced and renamed
over the target, and the directory is fsynced; stale temp files of a killed writer are removed
by ``clean_stale_tmp`` when the next command starts.
"""

import hashlib
import json
import os
import tempfile
from pathlib import Path

import jax
import msgpack
import numpy as np
from flax import serialization

from symla.errors import SymlaError
from symla.faults import io_point

STATE_FORMAT = "symla-state-2"
PARAMS_FORMAT = "symla-checkpoint-1"


class DamagedCheckpoint(SymlaError):
    """A state checkpoint that does not verify (cut short or altered on disk)."""


def sha256_file(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fsync_dir(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path, data: bytes):
    """Write ``data`` to ``path`` so that a reader sees the old file or the new one, never half."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            io_point(f"write {path.name}")
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except Exception:  # a kill (or the tests' simulated one) leaves the temp file for clean_stale_tmp
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    io_point(f"rename {path.name}")
    fsync_dir(path.parent)


def atomic_write_text(path, text: str):
    atomic_write_bytes(path, text.encode())


def clean_stale_tmp(directory, names=None):
    """Remove temp files a killed writer left in ``directory`` (only those of ``names`` if given)."""
    directory = Path(directory)
    if not directory.is_dir():
        return
    for tmp in directory.glob(".*.tmp"):
        target = tmp.name[1:].rsplit(".", 2)[0]
        if names is None or target in names:
            tmp.unlink(missing_ok=True)


def _plain(metadata):
    return json.loads(json.dumps(metadata or {}))  # plain JSON types (tuples become lists)


def save_state(path, tree, metadata: dict | None = None):
    """Save a resumable state as one self-verifying file; returns the payload's sha256."""
    payload = serialization.msgpack_serialize(
        {"metadata": _plain(metadata), "tree": serialization.to_state_dict(jax.device_get(tree))})
    digest = hashlib.sha256(payload).hexdigest()
    atomic_write_bytes(path, msgpack.packb({"format": STATE_FORMAT, "sha256": digest, "payload": payload}))
    return digest


def read_state(path):
    """(state-dict tree, metadata) of a state checkpoint; DamagedCheckpoint if it does not verify."""
    try:
        outer = msgpack.unpackb(Path(path).read_bytes())
        ok = isinstance(outer, dict) and outer.get("format") == STATE_FORMAT
        payload = outer["payload"] if ok else b""
        ok = ok and hashlib.sha256(payload).hexdigest() == outer.get("sha256")
    except (ValueError, TypeError, KeyError, msgpack.exceptions.UnpackException, msgpack.exceptions.ExtraData):
        ok = False
    if not ok:
        raise DamagedCheckpoint(f"state checkpoint {path} does not verify (cut short or altered on disk)")
    inner = serialization.msgpack_restore(payload)
    return inner["tree"], inner["metadata"]


def restore(tree, template, path):
    """``tree`` (a state dict) in the structure of ``template``; a mismatch is a one-line error."""
    try:
        restored = serialization.from_state_dict(template, tree)
        ok = jax.tree.structure(restored) == jax.tree.structure(template) and all(
            np.shape(a) == np.shape(b)
            for a, b in zip(jax.tree.leaves(restored), jax.tree.leaves(template), strict=False))
    except (ValueError, KeyError, TypeError):
        ok = False
    if not ok:
        raise SymlaError(f"checkpoint {path} does not match this learner/ES configuration "
                         "(different shapes or structure); use the settings it was trained with")
    return restored


def save(path, tree, metadata: dict | None = None):
    """Save published meta-parameters (a pytree) and JSON-like metadata, with a .sha256 beside."""
    state = serialization.to_state_dict(jax.device_get(tree))
    payload = {"format": PARAMS_FORMAT, "metadata": _plain(metadata), "tree": state}
    data = serialization.msgpack_serialize(payload)
    atomic_write_bytes(path, data)
    digest = hashlib.sha256(data).hexdigest()
    atomic_write_bytes(f"{path}.sha256", f"{digest}  {Path(path).name}\n".encode())
    return digest


def load_raw(path):
    """Read and hash-check a meta-parameter checkpoint; returns (state_dict tree, metadata)."""
    path = Path(path)
    if not path.exists():
        raise SymlaError(f"checkpoint {path} does not exist; run the training step that writes it")
    hash_path = Path(f"{path}.sha256")
    rerun = ("rerun its training step with the same settings: it resumes from the run's last "
             "checkpoint and rewrites this file")
    data = path.read_bytes()
    if not hash_path.exists():
        raise SymlaError(f"checkpoint {path} has no {hash_path.name} beside it (an interrupted write?); {rerun}")
    expected = (hash_path.read_text().split() or [""])[0]
    if hashlib.sha256(data).hexdigest() != expected:
        raise SymlaError(f"checkpoint {path} does not match {hash_path.name} (an interrupted write?); {rerun}")
    try:
        payload = serialization.msgpack_restore(data)
    except (msgpack.exceptions.ExtraData, ValueError, TypeError, msgpack.exceptions.UnpackException) as err:
        raise SymlaError(f"checkpoint {path} cannot be decoded ({type(err).__name__}); {rerun}") from None
    if not isinstance(payload, dict) or payload.get("format") != PARAMS_FORMAT:
        raise SymlaError(f"{path} is not a symla checkpoint (unknown format)")
    return payload["tree"], payload.get("metadata", {})


def load(path, template):
    """Load a meta-parameter checkpoint into the structure of ``template``."""
    tree, metadata = load_raw(path)
    return restore(tree, template, path), metadata


def all_finite(tree) -> bool:
    return all(np.all(np.isfinite(np.asarray(x))) for x in jax.tree.leaves(tree)
               if np.issubdtype(np.asarray(x).dtype, np.inexact))
