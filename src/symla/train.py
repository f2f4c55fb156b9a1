"""A meta-training run: ES generations with checkpoints, resume after a kill, logs and a curve.

Files in ``out_dir``:
  checkpoints/<id>/gen-<G>.msgpack resumable ES state at generation G, one self-verifying file,
                                   every checkpoint_every generations; the newest two are kept.
                                   <id> is a hash of the run's identity: a run with other
                                   settings checkpoints beside it and never over it
  checkpoints/<id>/log.csv         the per-generation log, appended one row per generation
  meta_params.msgpack (+ .sha256)  the final search centre and what produced it (for evaluation);
                                   with es.select, the centre of the checkpoint that scored best
                                   on the validation split (early stopping), and every score
  train_log.csv                    the log of the finished run (tidy; pandas reads it directly)
  (training_curve.png / .pdf       drawn from train_log.csv by `symla curve`, its own stage)
A run restarted with the same command continues from its newest checkpoint that verifies, and
ends bit-identical to an uninterrupted run: all randomness is a function of (seed, generation)
and the checkpoint holds every array the next generation reads. The run's identity leaves out
the number of generations, so raising es.generations continues a finished run.

es.select (early stopping on a validation split): the checkpoints at every ``every``-th generation
of the training split's stage are kept, and once training ends each one's centre is meta-tested on
``split`` with ``lifetimes`` validation lifetimes (key ``seed``, never the meta-test's); the one with
the highest mean within-lifetime reward rise is published. Scoring is deterministic, so a kill
during it only repeats it.
"""

import contextlib
import csv
import dataclasses
import fcntl
import io
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import jax
import jax.numpy as jnp
import numpy as np

from symla import checkpoint, cost
from symla.config import Experiment, build_learner, settings_mapping
from symla.envs.splits import make_split
from symla.errors import SymlaError
from symla.es import MetaTrainer, canonical
from symla.faults import io_point, pause_point
from symla.memory import member_chunk
from symla.outputs import TRAIN_LOG_COLUMNS as LOG_COLUMNS
from symla.outputs import check_scale_namespace, check_writable, identity_difference
from symla.progress import Progress
from symla.rollout import lifetime_keys, run_lifetimes

NOT_IDENTITY = ("generations", "checkpoint_every")  # how long and how often: the same run
KEEP_CHECKPOINTS = 2
CHECKPOINT_RE = re.compile(r"gen-(\d{8})\.msgpack")


def make_trainer(experiment: Experiment, learner_name: str, split_name: str | None = None) -> MetaTrainer:
    """The ES trainer of one learner on the training split (or on ``split_name``, a curriculum stage)."""
    es = experiment.search
    learner, split = build_learner(experiment, learner_name), make_split(split_name or experiment.train_split)
    return MetaTrainer(
        learner=learner, split=split, lifetime=experiment.lifetime, pairs=es.pairs,
        lifetimes_per_member=es.lifetimes_per_member, noise_std=es.noise_std,
        learning_rate=es.learning_rate, fitness_shaping=es.fitness_shaping,
        member_chunk=member_chunk(learner, split, es, cpu_cache=jax.default_backend() == "cpu"))


def make_curriculum(experiment: Experiment, learner_name: str) -> list:
    """[(trainer, generations)] of the curriculum stages that come before the training split."""
    return [(make_trainer(experiment, learner_name, stage["split"]), stage["generations"])
            for stage in experiment.curriculum]


@dataclasses.dataclass(frozen=True)
class Selection:
    """Early stopping: which generations' centres compete, and how one is scored.
    ``score(meta_params)`` returns (mean, standard error) of the validation statistic."""

    generations: tuple
    score: Callable[[Any], tuple[float, float]]
    name: str = "score"


def select_generations(first: int, total: int, every: int) -> tuple:
    """The competing generations: every ``every``-th of the stage that starts after ``first``,
    and the last one."""
    return tuple(sorted({*range(first + every, total + 1, every), total}))


def reward_rise_scorer(learner, split, lifetime: int, lifetimes: int, seed: int, num_bins: int):
    """meta_params -> (mean, SE over lifetimes) of the reward rise per part, last third minus first
    third of the lifetime: claim 3's statistic (symla.analysis), on fixed validation lifetimes."""
    keys = lifetime_keys(seed, lifetimes)
    run = jax.jit(lambda params: run_lifetimes(learner, split, params, keys, lifetime, num_bins).bin_reward)
    third = max(1, num_bins // 3)

    def score(meta_params):
        bins = np.asarray(jax.device_get(run(meta_params)), np.float64)
        rise = (bins[:, num_bins - third:].sum(1) - bins[:, :third].sum(1)) / third
        return float(rise.mean()), float(rise.std(ddof=1) / np.sqrt(len(rise)))
    return score


def make_selection(experiment: Experiment, trainer: MetaTrainer) -> Selection | None:
    """es.select of the experiment as a Selection (None without one)."""
    spec = experiment.search.select
    if spec is None:
        return None
    first = sum(stage["generations"] for stage in experiment.curriculum)
    score = reward_rise_scorer(trainer.learner, make_split(spec.split), experiment.lifetime, spec.lifetimes,
                               spec.seed, spec.num_bins)
    return Selection(select_generations(first, experiment.total_generations, spec.every), score,
                     f"{spec.metric} on {spec.split}")


def run_identity(experiment: Experiment, learner_name: str, seed: int, generations: bool = False) -> dict:
    """What a checkpoint belongs to; resuming or overwriting under another identity is refused.

    With ``generations`` it is the identity published in meta_params.msgpack (how long the run
    trained is part of what the file is); resumable state leaves it out, so a run can continue."""
    skip = ("checkpoint_every",) if generations else NOT_IDENTITY
    identity = {"experiment": experiment.name, "scale": experiment.scale, "learner": learner_name,
                "seed": seed, "train_split": experiment.train_split, "lifetime": experiment.lifetime,
                "es": {k: v for k, v in sorted(settings_mapping(experiment.search).items()) if k not in skip},
                "network": experiment.networks.get(learner_name, {})}
    if experiment.curriculum:  # only where there is one, so runs without keep their identity
        identity["curriculum"] = [dict(stage) for stage in experiment.curriculum]
    return identity


def comparable(identity: dict) -> dict:
    """An identity without the settings that do not make another run (older files recorded them)."""
    identity = dict(identity or {})
    if isinstance(identity.get("es"), dict):
        identity["es"] = {k: v for k, v in identity["es"].items() if k not in NOT_IDENTITY}
    return identity


def identity_key(identity: dict) -> str:
    """Short content hash of a run's identity: the name of its checkpoint directory."""
    import hashlib
    import json

    return hashlib.sha256(json.dumps(comparable(identity), sort_keys=True).encode()).hexdigest()[:12]


def state_checkpoints(ckdir: Path):
    """(generation, path) of every state checkpoint, newest first."""
    found = [(int(m.group(1)), p) for p in ckdir.glob("gen-*.msgpack") if (m := CHECKPOINT_RE.fullmatch(p.name))]
    return sorted(found, reverse=True)


def _newest_valid_checkpoint(ckdir: Path, say):
    for gen, path in state_checkpoints(ckdir):
        try:
            tree, meta = checkpoint.read_state(path)
            return gen, path, tree, meta
        except checkpoint.DamagedCheckpoint as err:
            say(f"warning: {err}; resuming from the checkpoint before it (the file is left in place)")
    return None


def _log_text(rows_csv: str) -> str:
    return ",".join(LOG_COLUMNS) + "\n" + rows_csv


def _truncate_log(log_path: Path, generation: int):
    """Keep the header and exactly the rows of generations 1..generation (a cut row is dropped)."""
    data = log_path.read_bytes() if log_path.exists() else b""
    lines = data.split(b"\n")
    if not lines or lines[0].decode(errors="replace") != ",".join(LOG_COLUMNS):
        raise SymlaError(f"{log_path} is not a training log of this version; resume needs its rows "
                         f"1..{generation}: restore it, or train into another --out")
    offset, kept = len(lines[0]) + 1, 0
    for line in lines[1:]:
        if kept == generation:
            break
        if not line.startswith(f"{kept + 1},".encode()) or offset + len(line) >= len(data):
            break  # a missing or cut row (no newline yet)
        offset += len(line) + 1
        kept += 1
    if kept < generation:
        raise SymlaError(f"{log_path} holds {kept} complete rows but the checkpoint is at generation "
                         f"{generation}; restore the log, or train into another --out")
    with open(log_path, "r+b") as f:
        f.truncate(offset)
        f.flush()
    io_point("truncate log.csv")


def _migrate_legacy_state(out: Path, ckdir: Path, template_state, identity, say):
    """Resume a run checkpointed by the earlier two-file format (state.msgpack + .sha256)."""
    legacy = out / "state.msgpack"
    if not legacy.exists() or state_checkpoints(ckdir):
        return
    data = legacy.read_bytes()
    from flax import serialization
    payload = serialization.msgpack_restore(data)
    tree, meta = payload["tree"], payload["metadata"]
    if identity_difference(comparable(identity), comparable(meta.get("identity"))):
        return  # another run's state: left in place, this run starts its own
    restored = checkpoint.restore(tree, {"es_state": template_state, "log": tree["log"]}, legacy)
    gen = int(meta["generation"])
    columns = restored["log"]
    rows = io.StringIO()
    writer = csv.DictWriter(rows, LOG_COLUMNS, lineterminator="\n")
    for i in range(len(columns["generation"])):
        writer.writerow({c: (int(columns[c][i]) if c in ("generation", "env_steps") else float(columns[c][i]))
                         for c in LOG_COLUMNS})
    checkpoint.atomic_write_text(ckdir / "log.csv", _log_text(rows.getvalue()))
    checkpoint.save_state(ckdir / f"gen-{gen:08d}.msgpack", restored["es_state"],
                          {"identity": identity, "generation": gen})
    say(f"converted {legacy} (generation {gen}) to {ckdir}/; the old file is kept")


def _phases(trainer, curriculum, total):
    """[(first generation, end generation, trainer)]: the curriculum's stages, then ``trainer``."""
    phases, start = [], 0
    for stage_trainer, generations in curriculum:
        phases.append((start, start + generations, stage_trainer))
        start += generations
    if total <= start:
        raise SymlaError(f"{total} generations do not reach past the curriculum's {start}; "
                         "es.generations counts the generations on the training split after it")
    return phases + [(start, total, trainer)]


def run_es(trainer: MetaTrainer, seed: int, identity: dict, total: int, every: int, out_dir, *,
           quiet=False, force=False, label="", params_metadata=None, centre=None, curriculum=(),
           restart_optimizer=False, selection: Selection | None = None):
    """Run (or resume, or continue) ES to generation ``total``; writes the files of the module doc.
    ``params_metadata`` is what meta_params.msgpack records (default: identity and generation);
    ``centre``: the initial search centre (default: the learner's initial meta-parameters);
    ``curriculum``: [(trainer, generations)] run first, in order, on their own splits: one search
    whose ES state (centre, Adam moments) carries from stage to stage; ``total`` counts them too;
    ``restart_optimizer``: the stage on ``trainer``'s split instead starts a fresh ES state at the
    curriculum's final centre (what a new run started there, e.g. research.py --init-from, does).
    The restart is made from the state at the boundary, so a resume anywhere repeats it exactly.
    ``selection``: keep the checkpoints of its generations and publish the best-scoring centre."""
    out = Path(out_dir)
    check_writable(out / "checkpoints")
    with run_lock(out):
        return _run_es(trainer, seed, identity, total, every, out, quiet=quiet, force=force, label=label,
                       params_metadata=params_metadata, centre=centre, curriculum=curriculum,
                       restart_optimizer=restart_optimizer, selection=selection)


@contextlib.contextmanager
def run_lock(out: Path):
    """One writer per run directory: an exclusive lock on ``checkpoints/.lock`` for the whole run.
    The kernel drops it when the process ends, killed or not, so there is never a stale lock."""
    path = out / "checkpoints" / ".lock"
    with open(path, "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "another process"
            raise SymlaError(f"{out} is being trained by {holder}; wait for it to finish (this command then "
                             "resumes or finds the run done), or train into another --out") from None
        lock.seek(0)
        lock.truncate()
        lock.write(f"process {os.getpid()}\n")
        lock.flush()
        yield


def _run_es(trainer, seed, identity, total, every, out: Path, *, quiet, force, label, params_metadata, centre,
            curriculum, restart_optimizer, selection):
    """Resume (or start), run the generations, publish: the three steps of run_es."""
    ckdir = out / "checkpoints" / identity_key(identity)
    say = (lambda msg: None) if quiet else (lambda msg: print(msg, flush=True))
    check_writable(ckdir)
    checkpoint.clean_stale_tmp(out)
    checkpoint.clean_stale_tmp(ckdir)
    state, start = _resume(trainer, seed, identity, total, out, ckdir, force=force, centre=centre, say=say)
    state = _generation_loop(trainer, seed, identity, state, start, total, every, out, ckdir,
                             phases=_phases(trainer, curriculum, total),
                             restart_optimizer=restart_optimizer and bool(curriculum),
                             keep=set(selection.generations) if selection else set(), quiet=quiet, label=label,
                             say=say)
    return _publish(trainer, state, identity, total, out, ckdir, params_metadata, selection, say)


def _resume(trainer, seed, identity, total, out: Path, ckdir: Path, *, force, centre, say):
    """(ES state, generations done): from the run's newest valid checkpoint when it has one (its
    identity must match), else a fresh state and an empty log; a finished file of another run is
    never overwritten without ``force``."""
    log_path, params_path = ckdir / "log.csv", out / "meta_params.msgpack"
    state, start = trainer.init(seed, centre), 0
    _migrate_legacy_state(out, ckdir, state, identity, say)
    found = _newest_valid_checkpoint(ckdir, say)
    if found:
        start, path, tree, meta = found
        if diff := identity_difference(comparable(identity), comparable(meta.get("identity"))):
            raise SymlaError(f"{path} belongs to another run ({diff}); train into another --out")
        if start > total:
            raise SymlaError(f"{out} is already trained to generation {start}, beyond the {total} asked "
                             f"for; set es.generations to at least {start}, or train into another --out")
        state = canonical(checkpoint.restore(tree, state, path))
        _truncate_log(log_path, start)
        say(f"resuming {out} from generation {start}/{total}")
        return state, start
    if params_path.exists() and not force:
        try:
            _, meta = checkpoint.load_raw(params_path)
            diff = identity_difference(comparable(identity), comparable(meta.get("identity")))
        except SymlaError:
            diff = None  # an interrupted write of this run's own file: it is rewritten
        if diff:
            raise SymlaError(f"{params_path} holds another run ({diff}); train into another --out, "
                             "or pass --force to replace it")
    checkpoint.atomic_write_text(log_path, _log_text(""))
    return state, start


def _generation_loop(trainer, seed, identity, state, start, total, every, out: Path, ckdir: Path, *, phases,
                     restart_optimizer, keep, quiet, label, say):
    """Generations ``start`` .. ``total`` - 1: each phase (curriculum stage) compiled once, a log
    row per generation, a checkpoint every ``every`` generations, at the end and at the ``keep``
    generations (early stopping's candidates), the newest two others kept. Returns the ES state."""
    log_path = ckdir / "log.csv"
    restart_at = phases[-1][0] if restart_optimizer else None
    run_key = trainer.run_key(seed)
    compiled = {}

    def generation_of(gen):
        """The compiled generation of the phase that holds ``gen`` (0-based), compiled once."""
        phase = next(i for i, (first, end, _) in enumerate(phases) if first <= gen < end)
        if phase not in compiled:
            t_compile = time.monotonic()
            compiled[phase] = phases[phase][2].generation.lower(state, run_key, jnp.int32(gen)).compile()
            where = f" on {phases[phase][2].split.name}" if len(phases) > 1 else ""
            say(f"compiled one generation{where} in {time.monotonic() - t_compile:.1f} s")
        return compiled[phase]

    progress = Progress(total, start, label=label, stream=open("/dev/null", "w") if quiet else None)
    env_steps = start * trainer.env_steps_per_generation
    wall0 = _last_wall_time(log_path)
    t_run = time.monotonic()
    with open(log_path, "a", newline="") as log_file:
        writer = csv.DictWriter(log_file, LOG_COLUMNS, lineterminator="\n")
        for gen in range(start, total):
            if gen == restart_at:
                state = trainer.init(seed, trainer.meta_params(state))
                say(f"generation {gen}: a fresh ES optimizer state on {trainer.split.name}")
            step = generation_of(gen)  # compiles at the first generation of each phase, untimed
            t0 = time.monotonic()
            state, metrics = step(state, run_key, jnp.int32(gen))
            metrics = jax.device_get(metrics)
            _check_sane(trainer, state, metrics, gen + 1, out, trainer_hint(trainer))
            dt = time.monotonic() - t0
            env_steps += trainer.env_steps_per_generation
            row = {"generation": gen + 1, **{k: float(v) for k, v in metrics.items()},
                   "env_steps": env_steps, "env_steps_per_s": trainer.env_steps_per_generation / dt,
                   "wall_time_s": wall0 + time.monotonic() - t_run}
            writer.writerow(row)
            log_file.flush()
            io_point("append log.csv")
            progress.update(gen + 1, fitness=row["fitness_mean"], centre=row["fitness_centre"],
                            steps_per_s=f"{row['env_steps_per_s']:.3g}")
            if (gen + 1) % every == 0 or gen + 1 == total or gen + 1 in keep:
                _os_fsync(log_file)
                checkpoint.save_state(ckdir / f"gen-{gen + 1:08d}.msgpack", state,
                                      {"identity": identity, "generation": gen + 1})
                for old_gen, old in state_checkpoints(ckdir)[KEEP_CHECKPOINTS:]:
                    if old_gen in keep:
                        continue
                    old.unlink()
                    io_point(f"unlink {old.name}")
                pause_point(gen + 1, out)
    return state


def _publish(trainer, state, identity, total, out: Path, ckdir: Path, params_metadata, selection, say):
    """meta_params.msgpack (the final centre, or the one early stopping selects) and
    train_log.csv, each written atomically; returns the published meta-parameters."""
    meta_params = trainer.meta_params(state)
    metadata = dict(params_metadata or {"identity": identity, "generation": total})
    if selection:
        meta_params, metadata["selection"] = _select(selection, ckdir, state, trainer, say)
    checkpoint.save(out / "meta_params.msgpack", meta_params, metadata)
    checkpoint.atomic_write_bytes(out / "train_log.csv", (ckdir / "log.csv").read_bytes())
    return meta_params


def _select(selection: Selection, ckdir: Path, template, trainer, say):
    """Score the kept checkpoints' centres; returns the best one (ties: the later generation) and
    the record meta_params.msgpack keeps: every generation's score and the one chosen."""
    found = dict(state_checkpoints(ckdir))
    missing = [g for g in selection.generations if g not in found]
    if missing:
        raise SymlaError(f"{ckdir} lacks the checkpoints of generations {missing} that es.select compares "
                         "(a run trained without es.select keeps only its newest two); train into another --out")
    scores, best = [], None
    for gen in selection.generations:
        tree, _ = checkpoint.read_state(found[gen])
        params = trainer.meta_params(canonical(checkpoint.restore(tree, template, found[gen])))
        mean, se = selection.score(params)
        scores.append({"generation": gen, "mean": mean, "se": se})
        say(f"selection: generation {gen}: {selection.name} {mean:+.3f} (SE {se:.3f})")
        if best is None or mean >= best[0]:
            best = (mean, gen, params)
    assert best is not None  # select_generations gives at least one generation
    say(f"selection: publishing the centre of generation {best[1]}")
    return best[2], {"statistic": selection.name, "selected_generation": best[1], "scores": scores}


def trainer_hint(trainer) -> str:
    return (f"learning_rate {trainer.learning_rate:g} or noise_std {trainer.noise_std:g} is likely too "
            "large (fitness or updates overflowed)")


# Meta-parameters beyond this size mean the search diverged. ES with Adam moves each one by about
# learning_rate per generation at most, so a run with the settings of params.yaml (learning rate
# <= 0.05, <= 10,000 generations) cannot get there from its start (|value| < 10), and the
# reference's largest is 7.2; past about 100 every LSTM gate of a cell is saturated anyway
# (docs/operations.md, "Divergence").
MAX_META_PARAM = 1e3


def _check_sane(trainer, state, metrics, generation, out, hint):
    """Stop at the first generation whose fitness or meta-parameters are not finite, or whose
    meta-parameters exceed MAX_META_PARAM; no checkpoint of that generation is written."""
    params = trainer.meta_params(state)
    if not (checkpoint.all_finite(metrics) and checkpoint.all_finite(params)):
        problem = "non-finite fitness or meta-parameters (NaN or inf)"
    elif (largest := max(float(np.max(np.abs(np.asarray(x)))) for x in jax.tree.leaves(params))) > MAX_META_PARAM:
        problem = f"the meta-parameters diverged (largest |value| {largest:.3g}, bound {MAX_META_PARAM:g})"
    else:
        return
    raise SymlaError(f"generation {generation}: {problem}; {hint}; the last good checkpoint in "
                     f"{out}/checkpoints is kept")


def _os_fsync(f):
    os.fsync(f.fileno())
    io_point("fsync log.csv")


def _last_wall_time(log_path: Path) -> float:
    lines = log_path.read_text().strip().splitlines()
    return float(lines[-1].split(",")[-1]) if len(lines) > 1 else 0.0


def train(experiment: Experiment, learner_name: str, seed: int, out_dir, quiet: bool = False,
          force: bool = False):
    """Meta-train (or resume, or continue) one run; returns the final meta-parameters."""
    check_scale_namespace(out_dir, experiment.scale)
    trainer = make_trainer(experiment, learner_name)
    es, total = experiment.search, experiment.total_generations
    steps = cost.training_env_steps(es, experiment.lifetime, total)
    device = "gpu" if jax.default_backend() == "gpu" else "cpu"
    hours = cost.estimate_hours(trainer.learner, trainer.split, steps, device)
    line = cost.cost_line(f"{experiment.name}/{learner_name}/seed{seed} at scale {experiment.scale}", steps, hours,
                          device)
    print(line, file=sys.stderr if quiet else sys.stdout, flush=True)
    meta_params = run_es(trainer, seed, run_identity(experiment, learner_name, seed), total,
                         es.checkpoint_every, out_dir, quiet=quiet, force=force,
                         label=f"{experiment.name}/{learner_name}/seed{seed}",
                         curriculum=make_curriculum(experiment, learner_name),
                         restart_optimizer=experiment.restart_optimizer_after_curriculum,
                         selection=make_selection(experiment, trainer),
                         params_metadata={"identity": run_identity(experiment, learner_name, seed, generations=True),
                                          "generation": total, "learner": learner_name,
                                          "learner_settings": dataclasses.asdict(cast(Any, trainer.learner))})
    return meta_params

