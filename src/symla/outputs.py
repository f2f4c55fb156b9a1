"""Guards for every command that writes results: nothing computed is lost or silently replaced.

Before computing, a command checks that its output directory is writable, removes temp files a
killed writer of the same outputs left behind, and refuses outputs that hold results of another
identity (scale, experiment, learner, seed, settings) unless given ``--force``. The identity of
a directory's tables is kept in ``.identity.json`` beside them (hidden, outside the manifest),
written before the tables (claim_outputs), so a command's own half-written outputs are never
taken for another's.
"""

import json
import os
import re
import tempfile
from pathlib import Path

from symla.checkpoint import atomic_write_text, clean_stale_tmp
from symla.config import SCALES
from symla.errors import SymlaError

IDENTITY_FILE = ".identity.json"
# The columns of a run's train_log.csv (symla.train writes it; curves and figures read it whole).
TRAIN_LOG_COLUMNS = ["generation", "fitness_mean", "fitness_best", "fitness_worst", "fitness_centre",
                     "env_steps", "env_steps_per_s", "wall_time_s"]


def _flat(tree, prefix=""):
    if isinstance(tree, dict):
        out = {}
        for k, v in tree.items():
            out.update(_flat(v, f"{prefix}{k}."))
        return out
    return {prefix[:-1]: tree}


def identity_difference(wanted: dict, found: dict) -> str | None:
    """'key: <found> there, <wanted> here' for the first differing settings, or None if equal."""
    a, b = _flat(json.loads(json.dumps(wanted))), _flat(json.loads(json.dumps(found or {})))
    diffs = [f"{k}: {b.get(k, '<unset>')!r} there, {a.get(k, '<unset>')!r} here"
             for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
    if not diffs:
        return None
    return "; ".join(diffs[:3]) + (f" (and {len(diffs) - 3} more)" if len(diffs) > 3 else "")


def scale_of_path(path) -> str | None:
    """The scale a path is namespaced under (results/<scale>/...), or None."""
    m = re.search(rf"(?:^|/)results/({'|'.join(SCALES)})(?:/|$)", Path(os.path.abspath(path)).as_posix())
    return m.group(1) if m else None


def check_scale_namespace(path, scale: str):
    found = scale_of_path(path)
    if found is not None and found != scale:
        raise SymlaError(f"{path} is under results/{found}/ but these are {scale}-scale settings; "
                         f"write {scale} results under results/{scale}/ (or pass --scale {found})")


def check_writable(directory):
    """Fail before any computing if ``directory`` cannot be created or written."""
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=directory, prefix=".write-probe.", suffix=".tmp")
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        raise SymlaError(f"cannot write to {directory} ({err.strerror}); make it writable or choose "
                         "another output directory") from None


def prepare_outputs(out_dir, files):
    """Before computing: ``out_dir`` is writable, and the temp files that a killed writer of
    ``files`` (None: of anything; only for a directory one command owns) left there are gone."""
    check_writable(out_dir)
    clean_stale_tmp(out_dir, None if files is None else set(files))


def guard_outputs(out_dir, files, identity: dict, force: bool = False):
    """Check ``out_dir`` before writing ``files`` of ``identity`` into it (see module doc)."""
    out = Path(out_dir)
    prepare_outputs(out, set(files) | {IDENTITY_FILE})
    existing = [f for f in files if (out / f).exists()]
    if not existing or force:
        return
    sidecar = out / IDENTITY_FILE
    found = json.loads(sidecar.read_text()) if sidecar.exists() else None
    if found is None:
        raise SymlaError(f"{out / existing[0]} exists and its identity is unknown (no {IDENTITY_FILE}); "
                         "write to another output directory, or pass --force to replace it")
    found = {k: v for k, v in found.items() if k in identity}  # e.g. the checkpoint hash: a retrain may replace
    if diff := identity_difference(identity, found):
        raise SymlaError(f"{out / existing[0]} holds results of another run ({diff}); write to another "
                         "output directory, or pass --force to replace them")


def claim_outputs(out_dir, identity: dict):
    """Record ``identity`` beside the outputs before the first of them is written: a rerun of
    the same command then recognises what a kill or a full disk left half done as its own and
    replaces it (guard_outputs), while outputs of another identity are still refused."""
    atomic_write_text(Path(out_dir) / IDENTITY_FILE, json.dumps(identity, indent=2, sort_keys=True) + "\n")
