"""The code and the settings each kind of stage depends on, for Snakemake and dvc.yaml alike.

A stage reruns when the code it runs changes, and only then: an edit to the figure code reruns
figures (and verify, which embeds them), never training. STAGE_CODE lists, per stage kind, the
modules the stage's `symla` command imports; tests/test_pipeline.py runs every stage with
SYMLA_TRACE_MODULES set and checks that each one imported nothing outside its list.

Imports nothing heavy (no jax): Snakemake reads it while parsing the workflow.
"""

import hashlib
from pathlib import Path

SRC = Path(__file__).resolve().parent
PACKAGE = "src/symla"

_COMMON = ("__init__.py", "cli.py", "config.py", "errors.py", "checkpoint.py", "faults.py", "outputs.py",
           "memory.py", "envs", "learners")  # every job validates params.yaml, which builds the splits
_ROLLOUT = ("rollout.py", "progress.py")
STAGE_CODE = {
    "train": _COMMON + _ROLLOUT + ("es.py", "train.py", "cost.py"),
    "curve": _COMMON + ("analysis.py", "figures.py"),
    "evaluate": _COMMON + _ROLLOUT + ("es.py", "train.py", "cost.py", "evaluate.py"),
    "baselines": _COMMON + _ROLLOUT + ("es.py", "train.py", "cost.py", "evaluate.py"),
    "aggregate": _COMMON + ("analysis.py",),
    "figure": _COMMON + ("analysis.py", "figures.py"),
    "verify": _COMMON + ("analysis.py", "figures.py", "verify.py", "report.py"),
}


def code_paths(stage: str) -> list[str]:
    """Repository-relative files and folders of a stage's code (dvc.yaml deps)."""
    return [f"{PACKAGE}/{name}" for name in STAGE_CODE[stage]]


def code_files(stage: str) -> list[Path]:
    files = []
    for name in STAGE_CODE[stage]:
        path = SRC / name
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return files


def code_hash(stage: str) -> str:
    """sha256 of a stage's code: a Snakemake rule param, so an edit reruns exactly these stages."""
    digest = hashlib.sha256()
    for path in code_files(stage):
        digest.update(str(path.relative_to(SRC)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def module_stage_violations(stage: str, modules) -> list[str]:
    """Modules (``symla.x.y`` names) a stage imported that its STAGE_CODE does not list."""
    allowed = {SRC / name for name in STAGE_CODE[stage]}
    bad = []
    for module in modules:
        parts = module.split(".")[1:]
        path = SRC.joinpath(*parts)
        candidates = [path.with_suffix(".py"), path / "__init__.py"] if parts else [SRC / "__init__.py"]
        if not any(c in allowed or any(p in allowed for p in c.parents) for c in candidates):
            bad.append(module)
    return sorted(bad)
