"""Checkpoints: msgpack (flax.serialization, no pickle), written atomically, with a sha256 beside.

A checkpoint file ``X.msgpack`` has ``X.msgpack.sha256`` next to it. Writing goes to a temp file
in the same directory, is fsynced and renamed over the target, and only then is the hash
written (also atomically), so a kill at any moment leaves either the old pair or the new one;
a file whose hash does not match is reported as corrupt, never loaded.
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


def sha256_file(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def atomic_write_bytes(path, data: bytes):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def save(path, tree, metadata: dict | None = None):
    """Save a pytree (arrays, numbers, nested dicts/lists/dataclasses) and JSON-like metadata."""
    state = serialization.to_state_dict(jax.device_get(tree))
    metadata = json.loads(json.dumps(metadata or {}))  # plain JSON types (tuples become lists)
    payload = {"format": "symla-checkpoint-1", "metadata": metadata, "tree": state}
    data = serialization.msgpack_serialize(payload)
    atomic_write_bytes(path, data)
    digest = hashlib.sha256(data).hexdigest()
    atomic_write_bytes(f"{path}.sha256", f"{digest}  {Path(path).name}\n".encode())
    return digest


def load_raw(path):
    """Read and hash-check a checkpoint; returns (state_dict tree, metadata)."""
    path = Path(path)
    if not path.exists():
        raise SymlaError(f"checkpoint {path} does not exist; run the training step that writes it")
    hash_path = Path(f"{path}.sha256")
    data = path.read_bytes()
    if hash_path.exists():
        expected = hash_path.read_text().split()[0] if hash_path.read_text().strip() else ""
        if hashlib.sha256(data).hexdigest() != expected:
            raise SymlaError(f"checkpoint {path} is corrupt (sha256 does not match {hash_path.name}); "
                             "delete it and rerun the training step")
    else:
        raise SymlaError(f"checkpoint {path} has no {hash_path.name} beside it; it may be from an "
                         "interrupted write: delete it and rerun the training step")
    try:
        payload = serialization.msgpack_restore(data)
    except (msgpack.exceptions.ExtraData, ValueError, TypeError, msgpack.exceptions.UnpackException) as err:
        raise SymlaError(f"checkpoint {path} cannot be decoded ({type(err).__name__}); "
                         "delete it and rerun the training step") from None
    if not isinstance(payload, dict) or payload.get("format") != "symla-checkpoint-1":
        raise SymlaError(f"{path} is not a symla checkpoint (unknown format)")
    return payload["tree"], payload.get("metadata", {})


def load(path, template):
    """Load a checkpoint into the structure of ``template``; a mismatch is a one-line error."""
    tree, metadata = load_raw(path)
    try:
        restored = serialization.from_state_dict(template, tree)
        ok = jax.tree.structure(restored) == jax.tree.structure(template) and all(
            np.shape(a) == np.shape(b) for a, b in zip(jax.tree.leaves(restored), jax.tree.leaves(template), strict=False))
    except (ValueError, KeyError, TypeError):
        ok = False
    if not ok:
        raise SymlaError(f"checkpoint {path} does not match this learner/ES configuration "
                         "(different shapes or structure); use a matching config or delete it")
    return restored, metadata
