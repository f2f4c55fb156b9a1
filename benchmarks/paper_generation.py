"""One paper-scale ES generation, timed: env steps/s and its ratio to this device's matmul peak.

    uv run python benchmarks/paper_generation.py                     # the full paper generation (GPU)
    uv run python benchmarks/paper_generation.py --pairs 16 --lifetime 100   # a CPU-sized slice

The trainer is exactly the one `symla train` builds at `scale: paper` (network with its hidden
layer, member chunks for es.device_memory_mb, sharding over every visible device); --pairs and
--lifetime only shrink the population and the lifetime so that a CPU finishes. The cost of a
generation is linear in pairs x lifetimes x lifetime (benchmarks/throughput.py checks this per
agent-step), so the script also extrapolates the seconds of one full paper generation and the
hours of a whole run. Compile time is excluded (one warm-up generation); the float32 peak is a
2048^3 (CPU) or 8192^3 (GPU) matmul timed in the same process.
"""

import argparse
import dataclasses
import json
import statistics
import time
from pathlib import Path

import jax
import jax.numpy as jnp

from symla.config import load_params, resolve_experiment
from symla.cost import cells_per_step
from symla.shapes import FLOP_PER_CELL_TICK
from symla.train import make_trainer


def matmul_peak_gflops(repeats=5):
    n = 2048 if jax.default_backend() == "cpu" else 8192
    a = jax.random.normal(jax.random.PRNGKey(0), (n, n))
    mm = jax.jit(lambda x: x @ x)
    jax.block_until_ready(mm(a))
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        jax.block_until_ready(mm(a))
        times.append(time.perf_counter() - t)
    return 2 * n**3 / statistics.median(times) / 1e9


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--experiment", default="gridworld")
    parser.add_argument("--learner", default="symla")
    parser.add_argument("--pairs", type=int, help="antithetic pairs (default: the paper setting)")
    parser.add_argument("--lifetime", type=int, help="steps per lifetime (default: the paper setting)")
    parser.add_argument("--repeats", type=int, default=2, help="timed generations after the warm-up")
    parser.add_argument("--out", default="bench/paper_generation.json")
    args = parser.parse_args()

    full = resolve_experiment(load_params(args.params, "paper"), args.experiment, "paper")
    exp = dataclasses.replace(full, lifetime=args.lifetime or full.lifetime,
                              es=dataclasses.replace(full.search, pairs=args.pairs or full.search.pairs))
    trainer = make_trainer(exp, args.learner)
    cells = cells_per_step(trainer.learner, trainer.split)

    peak = matmul_peak_gflops()
    state, key = trainer.init(0), trainer.run_key(0)
    t = time.perf_counter()
    state, _ = jax.block_until_ready(trainer.generation(state, key, jnp.int32(0)))
    compile_and_first = time.perf_counter() - t
    times = []
    for g in range(1, args.repeats + 1):
        t = time.perf_counter()
        state, _ = jax.block_until_ready(trainer.generation(state, key, jnp.int32(g)))
        times.append(time.perf_counter() - t)
    seconds = statistics.median(times)
    steps = trainer.env_steps_per_generation
    full_steps = make_trainer(full, args.learner).env_steps_per_generation
    result = {
        "device": f"{jax.device_count()} x {jax.devices()[0].device_kind}",
        "experiment": exp.name, "learner": args.learner, "train_split": exp.train_split,
        "network": exp.networks.get(args.learner, {}), "cells_per_step": cells,
        "pairs": exp.search.pairs, "lifetimes_per_member": exp.search.lifetimes_per_member,
        "lifetime": exp.lifetime, "member_chunk": trainer.member_chunk,
        "env_steps_per_generation": steps, "generation_seconds": seconds,
        "first_generation_seconds_incl_compile": compile_and_first,
        "env_steps_per_s": steps / seconds, "matmul_peak_gflops": peak,
        "full_paper_env_steps_per_generation": full_steps,
        "full_paper_generation_seconds_extrapolated": full_steps / (steps / seconds),
        "full_paper_run_hours_extrapolated": full_steps / (steps / seconds) * full.search.generations / 3600,
    }
    if cells is not None:
        result["cell_ticks_per_s"] = steps / seconds * cells * trainer.learner.ticks
        result["gflops"] = result["cell_ticks_per_s"] * FLOP_PER_CELL_TICK / 1e9
        result["of_matmul_peak"] = result["gflops"] / peak
    for k, v in result.items():
        print(f"{k:45s} {v:.4g}" if isinstance(v, float) else f"{k:45s} {v}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
