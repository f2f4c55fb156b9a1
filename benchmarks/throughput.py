"""Throughput and memory benchmark (a script, not a test): prints one table and writes it.

    uv run python benchmarks/throughput.py [--quick | --smoke] [--out bench/throughput.json]

One run measures:
  1. the float32 matmul peak: a jitted 2048x2048 @ 2048x2048 product, 2 n^3 FLOP, sampled right
     before every timed call throughout the run; "the peak" is the median of all samples, so it
     sees the same background load as the figures divided by it (the JSON also keeps, per row,
     the median of the samples taken next to that row's own calls);
  2. SymLA learner steps alone (jitted lax.scan over T = 20..200 steps, agents vmapped in the
     cache-sized chunks the library uses on CPU, random observations, fixed previous action and
     reward) for single layers 1x2, 4x2, 75x5, 105x9 and the quick-scale
     grid-world network of params.yaml, at 64 / 256 / 1024 agents: cell-ticks/s (inputs x actions
     x ticks per agent step) and agent-steps/s; and the full lifetime rollout
     (symla.rollout.run_population on bandit / cartpole / gridworld-tiny / gridworld-small) in
     env steps/s;
  3. MetaRNN(obs, actions, hidden_size=64) at the same sizes;
  4. ratios to the peak: SymLA at 6784 FLOP per cell tick (2*49*64 gate matmul + 2*2*16*8
     readouts, the nominal dense-LSTM count); MetaRNN at its actual matmul FLOPs per agent step
     (2*(obs+actions+1)*4N + ticks*2*N*4N + 2*N*actions); and a plain float32 matmul with the
     FLOP count of one batched SymLA step ([agents*A*B*ticks, 53] @ [53, 64]: 2*53*64 = 6784);
  5. cost per agent-step at 1024 vs 256 agents (the two timed in alternation);
  6. ES overhead: env steps/s of one jitted MetaTrainer.generation over bare run_population env
     steps/s for the same members and lifetimes;
  7. peak resident memory (VmHWM) of one quick-scale grid-world generation, in a fresh subprocess
     per lifetime length, to show it does not grow with the lifetime.
Compile time is excluded everywhere (a warm-up call first, block_until_ready); every figure is the
median of repeated calls. The table is also written as JSON and as CSV (same rows) next to it.
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

from symla.shapes import FLOP_PER_CELL_TICK as SYMLA_FLOP_PER_CELL_TICK

ROOT = Path(__file__).resolve().parents[1]
SIZES = [(1, 2, "bandit-2arm-biased"), (4, 2, "cartpole"), (75, 5, "gridworld-tiny"),
         (105, 9, "gridworld-small")]
STEP_WORK = 4_000_000  # cell ticks per timed learner-step call (sets T: 20 to 200 steps)
ROLLOUT_WORK = 20_000_000  # cell ticks per timed rollout call (sets the lifetime)


class Bench:
    """Timing helpers; keeps every matmul-peak sample taken during the run."""

    def __init__(self, repeats):
        self.repeats = repeats
        self.peak_samples = []
        n = 2048
        self._a = jax.random.normal(jax.random.PRNGKey(0), (n, n))
        self._mm = jax.jit(lambda x: x @ x)
        self._mm_flop = 2 * n**3
        jax.block_until_ready(self._mm(self._a))

    def sample_peak(self, times=3):
        for _ in range(times):
            t = time.perf_counter()
            jax.block_until_ready(self._mm(self._a))
            self.peak_samples.append(self._mm_flop / (time.perf_counter() - t) / 1e9)

    @property
    def peak(self):
        return statistics.median(self.peak_samples)

    def seconds(self, fn, *args, repeats=None):
        """Median wall time of fn(*args) after a warm-up (compile) call.

        A matmul-peak sample is taken right before every timed call; ``self.local_peak`` is the
        peak that matches these calls (median over calls of rate_i / peak_i, as a peak), and
        ``self.best`` the fastest call.
        """
        jax.block_until_ready(fn(*args))
        times, peaks = [], []
        for _ in range(repeats or self.repeats):
            self.sample_peak(1)
            peaks.append(self.peak_samples[-1])
            t = time.perf_counter()
            jax.block_until_ready(fn(*args))
            times.append(time.perf_counter() - t)
        self.best = min(times)
        # rate / peak, paired call by call: median of (1 / t_i) / peak_i, returned as a peak
        # that makes work / median(t) / local_peak equal that median ratio
        ratios = sorted(1 / (t * p) for t, p in zip(times, peaks, strict=True))
        self.local_peak = 1 / (statistics.median(times) * statistics.median(ratios))
        return statistics.median(times)

    def seconds_interleaved(self, *calls, repeats=None):
        """Median wall times of several (fn, args) calls timed in alternation."""
        for fn, args in calls:
            jax.block_until_ready(fn(*args))
        times = [[] for _ in calls]
        for _ in range(repeats or self.repeats):
            for i, (fn, args) in enumerate(calls):
                t = time.perf_counter()
                jax.block_until_ready(fn(*args))
                times[i].append(time.perf_counter() - t)
        return [statistics.median(t) for t in times]


def cache_chunk(learner, split_name, items, agents_per_item=1):
    """Items per chunk that the library itself would use on CPU (symla.memory.cpu_cache_agents)."""
    from symla.envs.splits import make_split
    from symla.memory import cpu_cache_agents, largest_divisor_at_most

    fit = cpu_cache_agents(learner, make_split(split_name)) // agents_per_item
    chunk = largest_divisor_at_most(items, fit)
    return None if chunk == items else chunk


def learner_step_call(learner, obs_size, num_actions, agents, steps, chunk=None):
    """(jitted fn, args) for ``steps`` learner steps of ``agents`` agents (no environment),
    ``chunk`` agents at a time (symla.rollout.map_in_chunks, as rollouts and ES run them)."""
    from symla.rollout import map_in_chunks

    params = learner.init_params(jax.random.PRNGKey(0))
    states = jax.vmap(lambda k: learner.init_state(params, k, obs_size, num_actions))(
        jax.random.split(jax.random.PRNGKey(1), agents))
    obs = jax.random.normal(jax.random.PRNGKey(2), (agents, steps, obs_size))
    action = jax.nn.one_hot(0, num_actions)

    def run(params, states, obs):
        def one_agent(state_and_obs):
            def body(s, o):
                logits, s = learner.step(params, s, o, action, 0.5)
                return s, logits.sum()
            return jax.lax.scan(body, *state_and_obs)[1].sum()
        return map_in_chunks(one_agent, (states, obs), chunk).sum()

    return jax.jit(run), (params, states, obs)


def rollout_env_steps_per_s(bench, learner, split_name, agents, lifetime):
    """run_population over agents/4 members x 4 lifetimes (jitted, chunked as ES would),
    env steps per second."""
    from symla.envs.splits import make_split
    from symla.rollout import run_population

    split = make_split(split_name)
    members = max(1, agents // 4)
    per_member = agents // members
    chunk = cache_chunk(learner, split_name, members, per_member)
    pop = jax.vmap(learner.init_params)(jax.random.split(jax.random.PRNGKey(0), members))
    keys = jax.random.split(jax.random.PRNGKey(1), (members, per_member))
    f = jax.jit(lambda p, k: run_population(learner, split, p, k, lifetime, member_chunk=chunk).fitness)
    return members * per_member * lifetime / bench.seconds(f, pop, keys, repeats=3)


def same_flop_matmul_gflops(bench, rows):
    """A plain [rows, 53] @ [53, 64] float32 matmul: 6784 FLOP per row, i.e. per cell tick."""
    x = jax.random.normal(jax.random.PRNGKey(0), (rows, 53))
    w = jax.random.normal(jax.random.PRNGKey(1), (53, 64))
    return 2 * rows * 53 * 64 / bench.seconds(jax.jit(lambda a, b: a @ b), x, w) / 1e9


def metarnn_flop_per_step(rnn):
    n, d, k = rnn.hidden_size, rnn.input_size, rnn.num_actions
    return 2 * d * 4 * n + rnn.ticks * 2 * n * 4 * n + 2 * n * k


def es_overhead(bench, learner, split_name, pairs, lifetimes_per_member, lifetime):
    """(ES generation env steps/s, bare run_population env steps/s) for the same work."""
    from symla.envs.splits import make_split
    from symla.es import MetaTrainer
    from symla.rollout import run_population

    split = make_split(split_name)
    members = 2 * pairs
    chunk = cache_chunk(learner, split_name, members, lifetimes_per_member)  # as make_trainer on CPU
    trainer = MetaTrainer(learner, split, lifetime, pairs, lifetimes_per_member, 0.05, 0.02,
                          member_chunk=chunk)
    state, key = trainer.init(0), trainer.run_key(0)
    pop = jax.vmap(learner.init_params)(jax.random.split(jax.random.PRNGKey(0), members))
    keys = jax.random.split(jax.random.PRNGKey(1), (members, lifetimes_per_member))
    bare = jax.jit(lambda p, k: run_population(learner, split, p, k, lifetime, member_chunk=chunk).fitness)
    # Alternate the two calls so that load from other processes hits both alike.
    es_time, bare_time = bench.seconds_interleaved(
        (lambda s: trainer.generation(s, key, jnp.int32(0)), (state,)), (bare, (pop, keys)))
    return (trainer.env_steps_per_generation / es_time,
            members * lifetimes_per_member * lifetime / bare_time)


MEMORY_SCRIPT = r"""
import dataclasses, sys
import jax, jax.numpy as jnp
from symla.config import load_params, resolve_experiment
from symla.train import make_trainer
exp = resolve_experiment(load_params("params.yaml", "quick"), "gridworld", "quick")
exp = dataclasses.replace(exp, lifetime=int(sys.argv[1]))
trainer = make_trainer(exp, "symla")
state, key = trainer.init(0), trainer.run_key(0)
state, metrics = trainer.generation(state, key, jnp.int32(0))
jax.block_until_ready((state, metrics))
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
print(int(hwm) / 1024, 2 * exp.search.pairs + 1, exp.search.lifetimes_per_member)
"""


def generation_peak_rss_mb(lifetime):
    """VmHWM (MB) of a fresh process that runs one quick-scale grid-world ES generation."""
    out = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, str(lifetime)], capture_output=True,
                         text=True, check=True, cwd=ROOT)
    mb, members, per_member = out.stdout.split()
    return float(mb), int(members), int(per_member)


def fmt(x):
    if x is None:
        return "-"
    if isinstance(x, str):
        return x
    for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= div:
            return f"{x / div:.2f}{suffix}"
    return f"{x:.3g}"


_START = time.perf_counter()


def log(msg):
    print(f"[{time.perf_counter() - _START:6.1f}s] {msg}", file=sys.stderr, flush=True)


def main():
    from symla.config import build_learner, load_params, resolve_experiment
    from symla.learners import MetaRNN, SymLA

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="reduced set, under ~2 minutes")
    parser.add_argument("--smoke", action="store_true",
                        help="tiny sizes, no memory subprocess: checks that the benchmark runs (the docs test); "
                             "its figures mean nothing")
    parser.add_argument("--out", default="bench/throughput.json", help="JSON output (CSV beside it)")
    args = parser.parse_args()

    quick = args.quick or args.smoke
    agent_counts = [16] if args.smoke else [256] if quick else [64, 256, 1024]
    sizes = SIZES[:2] if args.smoke else SIZES[1:3] if quick else SIZES
    bench = Bench(repeats=1 if args.smoke else 3 if quick else 5)
    max_lifetime = 10 if args.smoke else 50 if quick else 100
    bench.sample_peak(1 if args.smoke else 5)

    exp = resolve_experiment(load_params(ROOT / "params.yaml", "quick"), "gridworld", "quick")
    gridworld_symla = build_learner(exp, "symla")
    cases = [("SymLA", f"{A}x{B}", SymLA(), A, B, split) for A, B, split in sizes]
    if not quick:  # in --quick it would repeat the 75x5 row: the quick network is a single 75x5 layer
        cases.append(("SymLA", "gridworld quick", gridworld_symla, 75, 5, exp.train_split))

    rows = []

    def add(what, case, agents, value, unit, gflops=None, note=""):
        """A table row; rows with GFLOP/s also keep the peak sampled next to their own calls."""
        rows.append({"what": what, "case": case, "agents": agents, "value": value, "unit": unit,
                     "gflops": gflops, "of_peak": None, "note": note,
                     "local_peak_gflops": None if gflops is None else bench.local_peak})
        return rows[-1]

    step_calls = {}
    for name, case, learner, A, B, split in cases:
        for agents in agent_counts:
            cell_ticks_per_step = A * B * learner.ticks
            steps = max(20, min(200, STEP_WORK // (agents * cell_ticks_per_step)))
            chunk = cache_chunk(learner, split, agents)
            call = learner_step_call(learner, A, B, agents, steps, chunk)
            step_calls[(case, agents)] = (call, agents * steps)
            dt = bench.seconds(call[0], *call[1])
            agent_steps = agents * steps / dt
            cell_ticks = agent_steps * cell_ticks_per_step
            best = agents * steps / bench.best * cell_ticks_per_step
            row = add(f"{name} learner step", case, agents, cell_ticks, "cell-ticks/s",
                      cell_ticks * SYMLA_FLOP_PER_CELL_TICK / 1e9,
                      f"{fmt(agent_steps)} agent-steps/s; fastest call {fmt(best)} cell-ticks/s; "
                      f"chunks of {chunk or agents}")
            row["agent_steps_per_s"] = agent_steps
            row["best_cell_ticks_per_s"] = best
            mm = same_flop_matmul_gflops(bench, agents * cell_ticks_per_step)
            add("same-FLOP matmul", case, agents, mm, "GFLOP/s", mm,
                f"SymLA/matmul {row['gflops'] / mm:.2f}")["symla_over_matmul"] = row["gflops"] / mm
            lifetime = max(10, min(max_lifetime, ROLLOUT_WORK // (agents * cell_ticks_per_step)))
            rate = rollout_env_steps_per_s(bench, learner, split, agents, lifetime)
            add(f"{name} rollout", case, agents, rate, "env-steps/s",
                rate * cell_ticks_per_step * SYMLA_FLOP_PER_CELL_TICK / 1e9, f"{split}, lifetime {lifetime}")
            log(f"{name} {case} x{agents}: {fmt(cell_ticks)} cell-ticks/s")
        if case == "gridworld quick":
            continue
        rnn = MetaRNN(obs_size=A, num_actions=B, hidden_size=64)
        flop = metarnn_flop_per_step(rnn)
        for agents in agent_counts:
            fn, fn_args = learner_step_call(rnn, A, B, agents, 50, cache_chunk(rnn, split, agents))
            dt = bench.seconds(fn, *fn_args)
            rate = agents * 50 / dt
            add("MetaRNN learner step", case, agents, rate, "agent-steps/s", rate * flop / 1e9,
                f"{flop} FLOP/step")
            if not quick:
                rate = rollout_env_steps_per_s(bench, rnn, split, agents, 100)
                add("MetaRNN rollout", case, agents, rate, "env-steps/s", rate * flop / 1e9,
                    f"{split}, lifetime 100")
            log(f"MetaRNN {case} x{agents}")

    # Cost per agent-step at 1024 vs 256 agents, the two timed in alternation so that drifting
    # background load (this is a shared VM) hits both alike.
    for case in dict.fromkeys(c for _, c, *_ in cases):
        if (case, 256) in step_calls and (case, 1024) in step_calls:
            (c256, n256), (c1024, n1024) = step_calls[(case, 256)], step_calls[(case, 1024)]
            t256, t1024 = bench.seconds_interleaved(c256, c1024)
            ratio = (t1024 / n1024) / (t256 / n256)
            add("SymLA cost/agent-step 1024 vs 256", case, None, ratio, "x",
                note=f"{fmt(n256 / t256)} vs {fmt(n1024 / t1024)} agent-steps/s, timed alternately")
            log(f"cost ratio {case}: {ratio:.2f}")

    es_runs = ([("bandit-2arm-biased", 4, 1, 10)] if args.smoke else [("gridworld-tiny", 16, 2, 25)] if quick else
               [("bandit-2arm-biased", 128, 2, 100), ("gridworld-tiny", 128, 2, 50)])
    for split, pairs, per_member, lifetime in es_runs:
        es_rate, bare = es_overhead(bench, SymLA(), split, pairs, per_member, lifetime)
        log(f"ES overhead {split}")
        add("ES generation / bare rollout", split, (2 * pairs + 1) * per_member, es_rate / bare, "ratio",
            note=f"{fmt(es_rate)} vs {fmt(bare)} env-steps/s; {2 * pairs}+1 members x {per_member} x {lifetime}")

    for lifetime in (() if args.smoke else (50, 200) if quick else (100, 1000)):
        mb, members, per_member = generation_peak_rss_mb(lifetime)
        log(f"peak RSS lifetime {lifetime}: {mb:.0f} MB")
        add("peak RSS, quick grid-world generation", f"lifetime {lifetime}", members * per_member, mb, "MB",
            note=f"VmHWM of a fresh process, {members} members x {per_member}")

    peak = bench.peak
    for row in rows:
        if row["gflops"] is not None:
            row["of_peak"] = row["gflops"] / peak
    rows.insert(0, {"what": "float32 matmul peak", "case": "2048^3", "agents": None, "value": peak,
                    "unit": "GFLOP/s", "gflops": peak, "of_peak": 1.0,
                    "note": f"median of {len(bench.peak_samples)} samples (fastest {max(bench.peak_samples):.0f}), "
                            f"{jax.devices()[0].device_kind}"})

    header = ["what", "case", "agents", "value", "unit", "GFLOP/s", "of peak", "note"]
    table = [[r["what"], r["case"], fmt(r["agents"]), fmt(r["value"]), r["unit"], fmt(r["gflops"]),
              "-" if r["of_peak"] is None else f"{r['of_peak']:.2f}", r["note"]] for r in rows]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *table, strict=False)]
    for line in [header, ["-" * w for w in widths], *table]:
        print("  ".join(str(x).ljust(w) for x, w in zip(line, widths, strict=False)).rstrip())

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {"quick": quick, "smoke": args.smoke, "device": jax.devices()[0].device_kind, "jax": jax.__version__,
            "matmul_peak_gflops": peak, "peak_samples": bench.peak_samples,
            "symla_flop_per_cell_tick": SYMLA_FLOP_PER_CELL_TICK}
    out.write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))
    import csv
    with open(out.with_suffix(".csv"), "w", newline="") as f:
        keys = list(dict.fromkeys(k for r in rows for k in r))
        writer = csv.DictWriter(f, fieldnames=keys)
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {out} and {out.with_suffix('.csv')}")


if __name__ == "__main__":
    main()
