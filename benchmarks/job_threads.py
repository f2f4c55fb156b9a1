"""XLA threading per job (a script, not a test): two concurrent training jobs, as the pipeline runs
them on a 2-core machine, with XLA's default thread pool and with one thread per job (what
workflow/rules/common.smk sets). Prints seconds per generation and whether the ES states agree.

    uv run python benchmarks/job_threads.py [--experiment gridworld] [--learner symla]
                                            [--generations 8] [--repeats 2]

Each job runs the training split of the experiment at scale quick (for the grid world: the quad7r
stage, the most expensive part of the quick run) from the initial meta-parameters for
--generations generations after one compiled warm-up generation; the two settings alternate
--repeats times so both see the same background load. Run it with nothing else on the machine.
"""

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ONE_THREAD = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"


def job(experiment: str, learner: str, generations: int) -> None:
    """One job: time ``generations`` ES generations; print seconds per generation and a state digest."""
    import jax
    import numpy as np

    sys.path.insert(0, str(REPO / "src"))
    from symla.config import load_params, resolve_experiment
    from symla.train import make_trainer

    exp = resolve_experiment(load_params(REPO / "params.yaml", "quick"), experiment, "quick")
    trainer = make_trainer(exp, learner)
    state, run_key = trainer.init(0), trainer.run_key(0)
    state, _ = trainer.generation(state, run_key, 0)
    jax.block_until_ready(state)
    start = time.perf_counter()
    for generation in range(1, generations + 1):
        state, _ = trainer.generation(state, run_key, generation)
    jax.block_until_ready(state)
    seconds = (time.perf_counter() - start) / generations
    digest = hashlib.sha256(b"".join(np.asarray(x).tobytes() for x in jax.tree_util.tree_leaves(state)))
    print(json.dumps({"s_per_generation": seconds, "state": digest.hexdigest()[:16]}))


def pair(args, xla_flags: str | None) -> list[dict]:
    """Two concurrent jobs under ``xla_flags`` (None: XLA's defaults)."""
    env = {k: v for k, v in os.environ.items() if k != "XLA_FLAGS"}
    if xla_flags:
        env["XLA_FLAGS"] = xla_flags
    cmd = [sys.executable, __file__, "--job", "--experiment", args.experiment, "--learner", args.learner,
           "--generations", str(args.generations)]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    return [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in procs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiment", default="gridworld")
    parser.add_argument("--learner", default="symla")
    parser.add_argument("--generations", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--job", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.job:
        return job(args.experiment, args.learner, args.generations)
    runs = {"default threads": [], "one thread per job": []}
    for _ in range(args.repeats):
        runs["default threads"] += pair(args, None)
        runs["one thread per job"] += pair(args, ONE_THREAD)
    states = {r["state"] for rs in runs.values() for r in rs}
    print(f"{args.experiment}/{args.learner}, two concurrent jobs, {args.generations} generations each, "
          f"{args.repeats} repeats")
    for name, rs in runs.items():
        per_gen = [r["s_per_generation"] for r in rs]
        print(f"  {name:20s} {statistics.median(per_gen):.3f} s/generation (median of {len(per_gen)}; "
              f"min {min(per_gen):.3f}, max {max(per_gen):.3f})")
    base, one = (statistics.median(r["s_per_generation"] for r in rs) for rs in runs.values())
    print(f"  one thread per job / default: {one / base:.3f}; ES states bit-identical: {len(states) == 1}")


if __name__ == "__main__":
    main()
