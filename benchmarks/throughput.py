"""Throughput and memory benchmark (a script, not a test): prints one table and writes it.

    uv run python benchmarks/throughput.py [--quick] [--out bench/throughput.json]

In one run: the machine's float32 matmul peak; SymLA cell-ticks/s and agent-steps/s for layers
1x2, 4x2, 75x5 and 105x9 at 64 / 256 / 1024 agents, as a ratio to the peak (6784 FLOP per cell
tick: 2*49*64 gate matmul + 2*2*16*8 readouts); a plain matmul of the same FLOP count; MetaRNN at
the same sizes; full lifetime rollouts on real splits; the cost per agent-step from 256 to 1024
agents; ES overhead (a jitted generation vs the bare rollouts it runs); and the peak resident
memory of one quick-scale grid-world generation at two lifetime lengths. Compile time is
excluded everywhere (warm-up call first, block_until_ready, median of repeats).
"""

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp

FLOP_PER_CELL_TICK = 2 * 49 * 64 + 2 * 2 * 16 * 8
SIZES = [(1, 2, "bandit-2arm-biased"), (4, 2, "cartpole"), (75, 5, "gridworld-tiny"), (105, 9, "gridworld-small")]
STEPS = 20  # learner steps per timed call


def timeit(fn, *args, repeats=5):
    jax.block_until_ready(fn(*args))  # compile + warm up
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        jax.block_until_ready(fn(*args))
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def matmul_peak(n=2048):
    a = jax.random.normal(jax.random.PRNGKey(0), (n, n))
    f = jax.jit(lambda x: x @ x)
    return 2 * n**3 / timeit(f, a) / 1e9


def same_flop_matmul(rows):
    """The gate matmul of ``rows`` cell ticks as one plain [rows, 49] @ [49, 64] product."""
    x = jax.random.normal(jax.random.PRNGKey(0), (rows, 49))
    w = jax.random.normal(jax.random.PRNGKey(1), (49, 64))
    return 2 * rows * 49 * 64 / timeit(jax.jit(lambda a, b: a @ b), x, w) / 1e9


def learner_steps(learner, obs_size, num_actions, agents):
    """Seconds per call of STEPS learner steps for ``agents`` agents (no environment)."""
    params = learner.init_params(jax.random.PRNGKey(0))
    states = jax.vmap(lambda k: learner.init_state(params, k, obs_size, num_actions))(
        jax.random.split(jax.random.PRNGKey(1), agents))
    obs = jax.random.normal(jax.random.PRNGKey(2), (STEPS, agents, obs_size))
    act = jax.nn.one_hot(jnp.zeros((STEPS, agents), int), num_actions)

    def run(states, obs, act):
        def body(s, x):
            logits, s = jax.vmap(lambda st, o, a: learner.step(params, st, o, a, 0.5))(s, x[0], x[1])
            return s, logits.sum()
        return jax.lax.scan(body, states, (obs, act))[1]

    return timeit(jax.jit(run), states, obs, act)


def rollout_steps_per_s(learner, split_name, agents, lifetime=100):
    from symla.envs.splits import make_split
    from symla.rollout import run_population

    split = make_split(split_name)
    members = max(1, agents // 4)
    pop = jax.vmap(learner.init_params)(jax.random.split(jax.random.PRNGKey(0), members))
    keys = jax.random.split(jax.random.PRNGKey(1), (members, agents // members))
    f = jax.jit(lambda p, k: run_population(learner, split, p, k, lifetime).fitness)
    return members * (agents // members) * lifetime / timeit(f, pop, keys, repeats=3)


def es_overhead(learner, split_name, pairs, lifetimes_per_member, lifetime):
    from symla.envs.splits import make_split
    from symla.es import MetaTrainer
    from symla.rollout import run_population

    split = make_split(split_name)
    trainer = MetaTrainer(learner, split, lifetime, pairs, lifetimes_per_member, 0.05, 0.02)
    state, key = trainer.init(0), trainer.run_key(0)
    gen = jax.jit(lambda s: trainer.generation(s, key, jnp.int32(0)))
    es_rate = trainer.env_steps_per_generation / timeit(gen, state, repeats=3)
    pop = jax.vmap(learner.init_params)(jax.random.split(jax.random.PRNGKey(0), 2 * pairs))
    keys = jax.random.split(jax.random.PRNGKey(1), (2 * pairs, lifetimes_per_member))
    bare = jax.jit(lambda p, k: run_population(learner, split, p, k, lifetime).fitness)
    bare_rate = 2 * pairs * lifetimes_per_member * lifetime / timeit(bare, pop, keys, repeats=3)
    return es_rate, bare_rate


MEMORY_SCRIPT = r"""
import resource, sys, jax, jax.numpy as jnp
from symla.config import load_params, resolve_experiment
from symla.train import make_trainer
import dataclasses
exp = resolve_experiment(load_params("params.yaml", "quick"), "gridworld", "quick")
exp = dataclasses.replace(exp, lifetime=int(sys.argv[1]))
trainer = make_trainer(exp, "symla")
state, key = trainer.init(0), trainer.run_key(0)
state, m = trainer.generation(state, key, jnp.int32(0))
jax.block_until_ready(state)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def peak_memory_mb(lifetime):
    out = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, str(lifetime)], capture_output=True,
                         text=True, check=True, cwd=Path(__file__).resolve().parents[1])
    return float(out.stdout.strip().splitlines()[-1])


def main():
    from symla.learners import MetaRNN, SymLA

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer sizes and agent counts")
    parser.add_argument("--out", default="bench/throughput.json", help="JSON output (a CSV is written beside it)")
    args = parser.parse_args()
    agent_counts = [256] if args.quick else [64, 256, 1024]
    sizes = SIZES[1:3] if args.quick else SIZES

    peak = matmul_peak()
    rows = []
    print(f"float32 matmul peak (2048^3): {peak:.1f} GFLOP/s on {jax.devices()[0].device_kind}")
    symla = SymLA()
    for A, B, split in sizes:
        for agents in agent_counts:
            dt = learner_steps(symla, A, B, agents)
            cell_ticks = agents * STEPS * A * B * symla.ticks / dt
            gflops = cell_ticks * FLOP_PER_CELL_TICK / 1e9
            mm = same_flop_matmul(agents * A * B * symla.ticks)
            rnn = MetaRNN(obs_size=A, num_actions=B, hidden_size=64)
            rnn_rate = agents * STEPS / learner_steps(rnn, A, B, agents)
            rows.append({"size": f"{A}x{B}", "agents": agents, "symla_cell_ticks_per_s": cell_ticks,
                         "symla_agent_steps_per_s": agents * STEPS / dt, "symla_gflops": gflops,
                         "symla_ratio_to_peak": gflops / peak, "same_flop_matmul_gflops": mm,
                         "symla_ratio_to_same_flop_matmul": gflops / mm,
                         "symla_rollout_env_steps_per_s": rollout_steps_per_s(symla, split, agents),
                         "metarnn_agent_steps_per_s": rnn_rate,
                         "metarnn_rollout_env_steps_per_s": rollout_steps_per_s(rnn, split, agents)})
            r = rows[-1]
            print(f"{r['size']:>6} {agents:5d} agents | SymLA {cell_ticks / 1e6:6.2f} M cell-ticks/s "
                  f"{r['symla_agent_steps_per_s']:9.0f} steps/s {r['symla_ratio_to_peak']:.2f} of peak "
                  f"(same-FLOP matmul {mm:.1f} GFLOP/s, ratio {r['symla_ratio_to_same_flop_matmul']:.2f}) "
                  f"rollout {r['symla_rollout_env_steps_per_s']:9.0f} | MetaRNN {rnn_rate:9.0f} steps/s "
                  f"rollout {r['metarnn_rollout_env_steps_per_s']:9.0f}")
    scaling = {}
    for size in {r["size"] for r in rows}:
        per = {r["agents"]: 1 / r["symla_agent_steps_per_s"] for r in rows if r["size"] == size}
        if 256 in per and 1024 in per:
            scaling[size] = per[1024] / per[256]
    for size, ratio in sorted(scaling.items()):
        print(f"cost per agent-step, 1024 vs 256 agents, {size}: {ratio:.2f}x")

    overhead = {}
    for split, pairs, lpm, lifetime in [("bandit-2arm-biased", 64, 32, 100), ("gridworld-tiny", 32, 1, 200)]:
        es_rate, bare = es_overhead(symla, split, pairs, lpm, lifetime)
        overhead[split] = {"es_env_steps_per_s": es_rate, "bare_env_steps_per_s": bare, "ratio": es_rate / bare}
        print(f"ES overhead on {split} ({2 * pairs} members x {lpm} lifetimes x {lifetime}): "
              f"{es_rate:.0f} vs bare {bare:.0f} env steps/s, ratio {es_rate / bare:.2f}")

    memory = {lt: peak_memory_mb(lt) for lt in ((100,) if args.quick else (100, 1000))}
    for lt, mb in memory.items():
        print(f"peak RSS of one quick-scale grid-world generation, lifetime {lt}: {mb:.0f} MB")

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"matmul_peak_gflops": peak, "rows": rows, "cost_ratio_1024_vs_256": scaling,
                               "es_overhead": overhead, "peak_rss_mb_by_lifetime": memory}, indent=2))
    import pandas as pd
    pd.DataFrame(rows).to_csv(out.with_suffix(".csv"), index=False)
    print(f"wrote {out} and {out.with_suffix('.csv')}")


if __name__ == "__main__":
    main()
