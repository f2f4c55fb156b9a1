"""A meta-training run: ES generations with checkpoints, resume after a kill, logs and a curve.

Files in ``out_dir``:
  state.msgpack (+ .sha256)        resumable ES state + the log so far, every checkpoint_every gens
  meta_params.msgpack (+ .sha256)  the final search centre and what produced it (for evaluation)
  train_log.csv                    one row per generation (tidy; pandas reads it directly)
  training_curve.png / .pdf        fitness over generations
A run restarted with the same command continues from state.msgpack and ends bit-identical to an
uninterrupted run: all randomness is a function of (seed, generation) and the checkpoint holds
every array the next generation reads.
"""

import csv
import dataclasses
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from symla import checkpoint
from symla.config import Experiment, build_learner
from symla.envs.splits import make_split
from symla.errors import SymlaError
from symla.es import MetaTrainer, canonical
from symla.memory import member_chunk
from symla.progress import Progress

LOG_COLUMNS = ["generation", "fitness_mean", "fitness_best", "fitness_worst", "fitness_centre",
               "env_steps", "env_steps_per_s", "wall_time_s"]


def make_trainer(experiment: Experiment, learner_name: str) -> MetaTrainer:
    es = experiment.es
    learner, split = build_learner(experiment, learner_name), make_split(experiment.train_split)
    return MetaTrainer(
        learner=learner, split=split, lifetime=experiment.lifetime, pairs=es["pairs"],
        lifetimes_per_member=es["lifetimes_per_member"], noise_std=es["noise_std"],
        learning_rate=es["learning_rate"], fitness_shaping=es["fitness_shaping"],
        member_chunk=member_chunk(learner, split, es, cpu_cache=jax.default_backend() == "cpu"))


def run_identity(experiment: Experiment, learner_name: str, seed: int) -> dict:
    """What a checkpoint belongs to; resuming under a different identity is refused."""
    return {"experiment": experiment.name, "scale": experiment.scale, "learner": learner_name,
            "seed": seed, "train_split": experiment.train_split, "lifetime": experiment.lifetime,
            "es": {k: experiment.es[k] for k in sorted(experiment.es) if k != "checkpoint_every"},
            "network": experiment.networks.get(learner_name, {})}


def _write_log(path: Path, rows):
    tmp = path.with_suffix(".csv.tmp")
    with open(tmp, "w", newline="") as f:
        writer = csv.DictWriter(f, LOG_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    tmp.replace(path)


def _rows_to_columns(rows):
    return {c: np.asarray([r[c] for r in rows], np.float64) for c in LOG_COLUMNS}


def _columns_to_rows(columns):
    n = len(columns["generation"])
    return [{c: (int(columns[c][i]) if c in ("generation", "env_steps") else float(columns[c][i]))
             for c in LOG_COLUMNS} for i in range(n)]


def train(experiment: Experiment, learner_name: str, seed: int, out_dir, quiet: bool = False):
    """Meta-train (or resume) one run; returns the final meta-parameters."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    trainer = make_trainer(experiment, learner_name)
    identity = run_identity(experiment, learner_name, seed)
    total = experiment.es["generations"]
    every = experiment.es["checkpoint_every"]
    state_path, log_path = out / "state.msgpack", out / "train_log.csv"

    state, rows, start = trainer.init(seed), [], 0
    if state_path.exists():
        tree, meta = checkpoint.load_raw(state_path)
        if meta.get("identity") != identity:
            raise SymlaError(f"{state_path} belongs to another run ({meta.get('identity')}); "
                             "move it away or use another --out")
        restored, meta = checkpoint.load(state_path, {"es_state": state, "log": tree["log"]})
        state, rows, start = canonical(restored["es_state"]), _columns_to_rows(restored["log"]), int(meta["generation"])
        if not quiet:
            print(f"resuming {out} from generation {start}/{total}", flush=True)
    _write_log(log_path, rows)

    run_key = trainer.run_key(seed)
    t_compile = time.monotonic()
    generation = trainer.generation.lower(state, run_key, jnp.int32(start)).compile()
    if not quiet:
        print(f"compiled one generation in {time.monotonic() - t_compile:.1f} s", flush=True)
    progress = Progress(total, start, label=f"{experiment.name}/{learner_name}/seed{seed}",
                        stream=None if not quiet else open("/dev/null", "w"))
    env_steps = start * trainer.env_steps_per_generation
    wall0 = rows[-1]["wall_time_s"] if rows else 0.0
    t_run = time.monotonic()
    with open(log_path, "a", newline="") as log_file:
        writer = csv.DictWriter(log_file, LOG_COLUMNS)
        for gen in range(start, total):
            t0 = time.monotonic()
            state, metrics = generation(state, run_key, jnp.int32(gen))
            metrics = jax.device_get(metrics)
            dt = time.monotonic() - t0
            env_steps += trainer.env_steps_per_generation
            row = {"generation": gen + 1, **{k: float(v) for k, v in metrics.items()},
                   "env_steps": env_steps, "env_steps_per_s": trainer.env_steps_per_generation / dt,
                   "wall_time_s": wall0 + time.monotonic() - t_run}
            rows.append(row)
            writer.writerow(row)
            log_file.flush()
            progress.update(gen + 1, fitness=row["fitness_mean"], centre=row["fitness_centre"],
                            steps_per_s=f"{row['env_steps_per_s']:.3g}")
            if (gen + 1) % every == 0 or gen + 1 == total:
                checkpoint.save(state_path, {"es_state": state, "log": _rows_to_columns(rows)},
                                {"identity": identity, "generation": gen + 1})

    meta_params = trainer.meta_params(state)
    checkpoint.save(out / "meta_params.msgpack", meta_params,
                    {"identity": identity, "generation": total, "learner": learner_name,
                     "learner_settings": dataclasses.asdict(trainer.learner)})
    from symla.figures import training_curve

    training_curve(log_path, out / "training_curve", title=f"{experiment.name} / {learner_name} / seed {seed}")
    return meta_params
