import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
WORKFLOW_FILES = ("Snakefile", "params.yaml", "profiles", "workflow", "src", "pyproject.toml", ".dvc", ".dvcignore")


JAX_CACHE = Path(os.environ.get("SYMLA_TEST_JAX_CACHE", "/tmp/symla-test-jax-cache"))


class SimulatedKill(BaseException):
    """Raised at an I/O point (symla.checkpoint.io_point); like SIGKILL, no handler of the writer
    catches it."""


def fault_at(n, fault=SimulatedKill):
    """An io_point hook that raises ``fault(label)`` at the ``n``-th I/O point it passes: the
    deterministic kill (or full disk) of the kill-at-any-instant tests."""
    calls = {"n": 0}

    def point(label):
        calls["n"] += 1
        if calls["n"] == n:
            raise fault(label)
    return point


def env_with_venv():
    """Subprocess environment whose PATH finds this venv's python, snakemake and dvc first.

    Subprocesses share a persistent JAX compilation cache: the workflow runs of the tests compile
    the same functions, and a cached executable is the same code, so results are unchanged (the
    tests compare manifests of cached and uncached runs)."""
    env = dict(os.environ)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("JAX_COMPILATION_CACHE_DIR", str(JAX_CACHE))
    env.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "1")
    return env


def copy_workflow(dest: Path, scale="smoke") -> Path:
    """A copy of the workflow (not results) in ``dest`` with params.yaml set to ``scale``."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in WORKFLOW_FILES:
        src = REPO / name
        if src.is_symlink():  # profiles -> workflow/profiles: where Snakemake finds its default
            os.symlink(os.readlink(src), dest / name)
        elif src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("tmp", "cache", "__pycache__"))
        elif src.exists():
            shutil.copy2(src, dest / name)
    params = (dest / "params.yaml").read_text()
    (dest / "params.yaml").write_text(params.replace("\nscale: quick", f"\nscale: {scale}", 1))
    return dest


def run(cmd, cwd, check=True, timeout=1200, extra_env=None, **kw):
    out = subprocess.run(cmd, cwd=cwd, env=env_with_venv() | (extra_env or {}), capture_output=True, text=True,
                         timeout=timeout, **kw)
    if check and out.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, cmd))} failed ({out.returncode}):\n"
                             f"{out.stdout[-3000:]}\n{out.stderr[-5000:]}")
    return out


@pytest.fixture(scope="session")
def smoke_run(tmp_path_factory):
    """The whole smoke DAG run once, as README's main command runs it (plain `snakemake`: the
    default profile supplies the cores); shared by the pipeline tests. Under pytest-xdist the
    first worker that needs it runs it and the others wait for it (a file lock in the session's
    shared temporary directory), so it runs once per test session."""
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # one directory above every worker's own
    root, log = shared / "smoke-run", shared / "smoke-run.log"
    with FileLock(str(shared / "smoke-run.lock")):
        if not log.exists():
            shutil.rmtree(root, ignore_errors=True)
            copy_workflow(root)
            # every job lists the symla modules it imported (tests/test_pipeline.py checks symla.stages)
            out = run(["snakemake"], root, extra_env={"SYMLA_TRACE_MODULES": str(root / "module-trace")})
            log.write_text(out.stdout + out.stderr)
    text = log.read_text()
    assert "Using workflow specific profile profiles/default" in text
    return root, text
