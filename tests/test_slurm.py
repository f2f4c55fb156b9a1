"""The workflow on a real one-node SLURM cluster (started by workflow/scripts/slurm-up.sh, as in
.ci/run): the smoke DAG gives the local run's manifest, and a training job cancelled with
scancel resumes from its checkpoint when the workflow is rerun. The sbatch arguments of a
paper-scale evaluation job are read from the submission itself (a recording sbatch)."""

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from conftest import copy_workflow, env_with_venv, run

from symla import checkpoint

# The plugin's defaults (first status check 40 s after submission, then every 10 s) are kind
# to a shared cluster but left the one-node test cluster idle most of the time: the smoke DAG
# took 490 s on SLURM against 148 s locally. The profile itself keeps the defaults.
SLURM_PROFILE = ["--profile", "workflow/profiles/slurm",
                 "--slurm-init-seconds-before-status-checks", "2", "--seconds-between-status-checks", "2"]


def slurm_ready():
    if os.geteuid() != 0:
        return "SLURM tests need root (workflow/scripts/slurm-up.sh starts the daemons)"
    if shutil.which("sinfo") is None:
        return "SLURM is not installed: run workflow/scripts/slurm-up.sh as root"
    out = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True)
    if out.returncode != 0 or not out.stdout.strip().startswith(("idle", "mix", "alloc")):
        return f"no SLURM node is up ({out.stderr.strip() or out.stdout.strip()}); run workflow/scripts/slurm-up.sh"
    return None


needs_slurm = pytest.mark.skipif(slurm_ready() is not None, reason=str(slurm_ready()))
# One worker runs them in turn: the scancel test cancels every job in the queue.
pytestmark = pytest.mark.xdist_group("slurm")


@pytest.mark.slurm
@pytest.mark.slow
@needs_slurm
def test_smoke_dag_on_slurm_matches_local_run(smoke_run, tmp_path):
    """Every kind of job (train, curve, evaluate, baselines, aggregate, figure) of one experiment runs
    as a SLURM job and writes exactly the bytes of the local run. One experiment, not the whole
    DAG: the other two add 15 jobs of the same kinds and 7 minutes of CI, and test nothing more."""
    from symla.verify import build_manifest

    local_root, _ = smoke_run
    root = copy_workflow(tmp_path / "slurm")
    params = yaml.safe_load((root / "params.yaml").read_text())
    targets = ["results/smoke/aggregate/bandits/summary.csv"]
    targets += [f"results/smoke/figures/{name}.png" for name, spec in params["figures"].items()
                if spec["experiment"] == "bandits"]
    targets += [f"results/smoke/runs/bandits/{learner}/seed0/training_curve.png" for learner in ("symla", "metarnn")]
    out = run(["snakemake", *SLURM_PROFILE, *targets], root, timeout=1500)
    assert "has been submitted with SLURM jobid" in out.stdout + out.stderr
    on_slurm = build_manifest(root / "results/smoke")["files"]
    local = build_manifest(local_root / "results/smoke")["files"]
    expected = {f for f in local if "bandits" in f}
    assert expected and set(on_slurm) == expected, sorted(set(on_slurm) ^ expected)
    assert {f: on_slurm[f] for f in expected} == {f: local[f] for f in expected}


def long_bandit_params(root: Path, generations=40, every=4, lifetime=None):
    params = yaml.safe_load((root / "params.yaml").read_text())
    params["scales"]["smoke"]["es"].update(generations=generations, checkpoint_every=every)
    if lifetime is not None:
        params["experiments"]["bandits"]["scales"]["smoke"]["lifetime"] = lifetime
    (root / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))


@pytest.mark.slurm
@pytest.mark.slow
@needs_slurm
def test_scancel_mid_training_resumes_and_raising_generations_continues(tmp_path):
    """Deterministic, no timing race: the training job pauses right after its generation-4
    checkpoint is complete (SYMLA_PAUSE_AT_GENERATION, exported to the job by sbatch) and is
    cancelled there. The rerun resumes from generation 4; raising es.generations afterwards
    makes Snakemake rerun the finished job, which continues from generation 8 to 12 and ends
    bit-identical to a 12-generation run from scratch."""
    root = copy_workflow(tmp_path / "wf")
    long_bandit_params(root, generations=12, every=2)
    reference = tmp_path / "uninterrupted"
    run(["python", "-m", "symla.cli", "train", "--params", "params.yaml", "--experiment", "bandits",
         "--learner", "symla", "--seed", "0", "--out", str(reference), "--quiet"], root)
    long_bandit_params(root, generations=8, every=2)
    run_dir = root / "results/smoke/runs/bandits/symla/seed0"
    target = str(run_dir.relative_to(root) / "meta_params.msgpack")
    marker = run_dir / ".paused-at-4"

    env = {**env_with_venv(), "SYMLA_PAUSE_AT_GENERATION": "4"}
    with open(tmp_path / "snakemake.log", "w") as snakemake_log:  # the child keeps its own handle
        proc = subprocess.Popen(["snakemake", *SLURM_PROFILE, target], cwd=root, env=env,
                                stdout=snakemake_log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.time() + 600
        while time.time() < deadline and proc.poll() is None and not marker.exists():
            time.sleep(0.2)
        assert marker.exists(), "the job never reached its generation-4 checkpoint:\n" + \
            (tmp_path / "snakemake.log").read_text()[-3000:]
        jobs = subprocess.run(["squeue", "-h", "-o", "%i"], capture_output=True, text=True).stdout.split()
        assert jobs, "the training job is not in the SLURM queue"
        subprocess.run(["scancel", *jobs], check=True)
        proc.wait(timeout=300)  # snakemake notices the cancelled job and stops
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    assert proc.returncode != 0
    assert not (run_dir / "meta_params.msgpack").exists()

    log = root / "results/smoke/logs/train/bandits/symla/seed0.log"
    run(["snakemake", *SLURM_PROFILE, target], root, timeout=900)
    assert "from generation 4/8" in log.read_text()  # nothing recomputed from zero
    long_bandit_params(root, generations=12, every=2)
    run(["snakemake", *SLURM_PROFILE, target], root, timeout=900)
    assert "from generation 8/12" in log.read_text()
    assert checkpoint.sha256_file(run_dir / "meta_params.msgpack") == checkpoint.sha256_file(
        reference / "meta_params.msgpack")


RECORDING_SBATCH = """#!/bin/sh
printf '%s\\n' "$@" > "{args}"
cat > "{script}"
echo 4242
"""


def test_paper_scale_evaluation_job_asks_slurm_for_a_gpu(tmp_path):
    """Read the sbatch call the slurm executor plugin makes for a paper-scale evaluation job."""
    root = copy_workflow(tmp_path / "wf", scale="paper")
    run_dir = root / "results/paper/runs/gridworld/symla/seed0"
    run_dir.mkdir(parents=True)
    (run_dir / "meta_params.msgpack").write_bytes(b"stands in for a trained checkpoint")
    shims = tmp_path / "bin"
    shims.mkdir()
    args_file, script_file = tmp_path / "sbatch.args", tmp_path / "sbatch.script"
    (shims / "sbatch").write_text(RECORDING_SBATCH.format(args=args_file, script=script_file))
    for tool in ("squeue", "sacct", "scancel", "sinfo", "scontrol", "sacctmgr"):
        (shims / tool).write_text("#!/bin/sh\nexit 0\n")
    for f in shims.iterdir():
        f.chmod(0o755)
    env = env_with_venv()
    env["PATH"] = f"{shims}{os.pathsep}{env['PATH']}"
    target = "results/paper/eval/gridworld/symla/seed0/lifetimes.csv"
    proc = subprocess.Popen(["snakemake", *SLURM_PROFILE, target, "--allowed-rules", "evaluate", "settings"],
                            cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        deadline = time.time() + 180
        while time.time() < deadline and not args_file.exists() and proc.poll() is None:
            time.sleep(0.2)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # nothing was really submitted: no cleanup needed
        output = proc.communicate(timeout=60)[0]
    assert args_file.exists(), f"no sbatch call was made:\n{output[-3000:]}"
    args = " ".join(args_file.read_text().split())
    print("sbatch", args)  # what a paper-scale evaluation job gets (see -s output)
    assert "--gpus=1" in args
    assert "--mem 4500" in args or "--mem=4500" in args
    assert "-p debug" in args or "--partition" in args
    assert "-t 240" in args or "--time" in args
