"""A throughput model: env steps and hours of a job before it starts, from measured rates.

seconds per env step = 1 / env_steps_per_s  +  FLOP per step / flops
CPU rates are this project's 2-core measurements (benchmarks/results/throughput.csv: SymLA
rollouts run at about 120 GFLOP/s on the grid world's 375 cells, and no faster than about
5e5 env steps/s on tiny networks, where the environment and the scan dominate). The GPU rate is
an estimate (0.3 of an H100's 67 TFLOP/s float32 peak) until a measured paper generation
replaces it (benchmarks/paper_generation.py). Estimates, good to a factor of about 2.
"""

import os
import shutil
from pathlib import Path

DEVICE_RATES = {
    "cpu": {"flops": 100e9, "env_steps_per_s": 5e5},
    "gpu": {"flops": 0.3 * 67e12, "env_steps_per_s": 1e8},
}
FAR_BEYOND_HOURS = 24.0  # a single job estimated above this on the device gets a warning
# Seconds a job spends before its first env step (Python and JAX start, tracing, XLA compilation),
# by job kind, with an empty ("cold") and a filled ("warm") persistent compilation cache (.cache/jax).
# Measured as the median job time of the smoke DAG on this project's 2-core CPU machine, where a job's
# compute is negligible (benchmarks/results/compile_seconds.csv; docs/performance.md). A GPU's are
# taken to be the same until measured there.
COMPILE_SECONDS = {"cold": {"train": 29.0, "evaluate": 24.0, "baselines": 32.0},
                   "warm": {"train": 15.0, "evaluate": 13.0, "baselines": 14.0}}


def cells_per_step(learner, split):
    """SymLA's LSTM cells per agent step on ``split`` (None for a learner without cells)."""
    if not hasattr(learner, "layer_sizes"):
        return None
    return sum(a * b for a, b in learner.layer_sizes(split.obs_size, split.num_actions))


def learner_flops_per_step(learner, split):
    """``learner``: a learner or its settings (symla.shapes); ``split``: a Split or SplitSpec."""
    return learner.flops_per_step(split.obs_size, split.num_actions)


def training_env_steps(es, lifetime: int, generations: int | None = None) -> int:
    """Env steps of a whole training run (``es``: config.ESSettings): every member's lifetimes
    plus the centre's."""
    return (2 * es.pairs + 1) * es.lifetimes_per_member * lifetime * (generations or es.generations)


def evaluation_env_steps(experiment) -> int:
    """Env steps of one learner's meta-test: every evaluation split's lifetimes."""
    return sum(experiment.meta_test.lifetimes * experiment.split_lifetime(s) for s in experiment.eval_splits)


def evaluation_flops(experiment, learner) -> float:
    """FLOPs of one meta-test of ``learner`` (a learner or its settings): each evaluation split's
    lifetimes at that split's sizes."""
    from symla.envs.catalog import parse_split

    return sum(experiment.meta_test.lifetimes * experiment.split_lifetime(s)
               * learner_flops_per_step(learner, parse_split(s)) for s in experiment.eval_splits)


def evaluation_hours(experiment, learner, device: str) -> float:
    """Estimated hours of one meta-test of ``learner`` on ``device``, compilation left out."""
    rate = DEVICE_RATES[device]
    return (evaluation_env_steps(experiment) / rate["env_steps_per_s"]
            + evaluation_flops(experiment, learner) / rate["flops"]) / 3600


BASELINE_POLICIES = 3  # random, hand-written REINFORCE, hand-written reference: tiny networks, env-bound


def baseline_env_steps(experiment) -> int:
    return BASELINE_POLICIES * evaluation_env_steps(experiment)


def baseline_hours(experiment, device: str) -> float:
    return baseline_env_steps(experiment) / DEVICE_RATES[device]["env_steps_per_s"] / 3600


def compile_hours(kind: str, cache: str) -> float:
    """Hours before a ``kind`` job's first env step with a ``cache`` ('cold' | 'warm') compilation cache."""
    return COMPILE_SECONDS[cache][kind] / 3600


def cache_state(cache_dir=None) -> str:
    """'warm' where the persistent compilation cache holds anything, else 'cold'."""
    root = Path(cache_dir or os.environ.get("JAX_COMPILATION_CACHE_DIR") or Path.cwd() / ".cache" / "jax")
    return "warm" if root.is_dir() and any(root.iterdir()) else "cold"


def estimate_hours(learner, split, env_steps: int, device: str) -> float:
    rate = DEVICE_RATES[device]
    seconds = env_steps * (1 / rate["env_steps_per_s"] + learner_flops_per_step(learner, split) / rate["flops"])
    return seconds / 3600


def local_device() -> str:
    """'gpu' where an NVIDIA driver is visible, else 'cpu' (no JAX import, for dry runs)."""
    return "gpu" if shutil.which("nvidia-smi") else "cpu"


def cost_line(label: str, env_steps: int, hours: float, device: str) -> str:
    line = f"{label}: {env_steps:.3g} env steps, estimated {hours:.2g} h on this {device}"
    if hours > FAR_BEYOND_HOURS:
        line += (f"; WARNING: far beyond this machine (over {FAR_BEYOND_HOURS:.0f} h): use a smaller "
                 "scale, or SLURM with GPUs (docs/operations.md: paper scale)")
    return line
