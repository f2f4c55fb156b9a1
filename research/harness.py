"""Research harness: meta-train one learner on one setting for a given budget, meta-test it, and
print one line; every row goes to research/results/research.tsv with the command that made it.

    uv run python research/harness.py --experiment gridworld --learner symla --generations 100 \\
        [--set lifetime=400 --set es.pairs=64 --set es.lifetimes_per_member=16 ...] [--snr-only]

Settings start from the experiment at --scale (default quick) and --set overrides them (dotted
keys into the resolved experiment: lifetime, train_split, curriculum, es.*, networks.symla.*,
evaluation.split_lifetimes); --generations is es.generations, the generations on the training split
after the curriculum's stages. Where the experiment sets es.select (early stopping on a validation
split, as the pipeline's train job does), the run publishes its best-scoring kept checkpoint;
--set es.select=null trains without it. The line:
  snr        ES signal-to-noise at the initial meta-parameters: RMS paired fitness difference
             of antithetic members (common random numbers) over the per-lifetime noise of that
             difference, and the lifetimes per member it takes for a ratio of 1
  fitness    population-mean fitness by blocks of generations (training)
  test       meta-test lifetime reward on the training split vs random and vs REINFORCE (the
             hand-written learner), and its within-lifetime rise (reward per tenth, last three
             tenths minus first three)
  swapped    the same on the first other grid-world split (claim 3), if any
  cartpole   transfer: late episode length vs random (claim 4), if the experiment evaluates it
Meta-test splits other than the training split are only measured, never used to choose settings.
"""

import argparse
import copy
import dataclasses
import shlex
import sys
import tempfile
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import layouts  # noqa: F401  (registers the research worlds, research/layouts.py)
import numpy as np

from symla.analysis import add_within_lifetime_metrics
from symla.checkpoint import load, sha256_file
from symla.config import load_params, resolve_experiment, settings_mapping
from symla.envs.splits import make_split
from symla.es import MetaTrainer
from symla.evaluate import baseline_learner, evaluate_learner
from symla.learners import RandomPolicy
from symla.rollout import run_population
from symla.train import make_curriculum, make_selection, make_trainer, run_es

RESULTS = Path(__file__).parent / "results" / "research.tsv"
HEADER = "date\tlabel\tsnr\tlifetimes_for_snr1\tfitness_by_block\ttest\tswapped\tcartpole\tseconds\tcommand\n"


def apply_overrides(experiment, sets):
    """--set key=value on the resolved experiment; typed settings (es, evaluation, baselines) are
    edited as the mappings params.yaml holds, then typed again."""
    fields = {f.name: copy.deepcopy(getattr(experiment, f.name)) for f in dataclasses.fields(experiment)}
    typed = {name: type(value) for name, value in fields.items() if dataclasses.is_dataclass(value)}
    fields.update({name: settings_mapping(fields[name]) for name in typed})
    for item in sets:
        key, _, value = item.partition("=")
        import yaml
        value = yaml.safe_load(value)
        parts = key.split(".")
        if parts[0] not in fields:
            sys.exit(f"research: unknown setting {parts[0]!r}; one of {', '.join(fields)}")
        if len(parts) == 1:
            fields[key] = tuple(value) if isinstance(fields[key], tuple) else value
        else:
            target = fields[parts[0]]
            for p in parts[1:-1]:
                target = target.setdefault(p, {})
            target[parts[-1]] = value
    fields.update({name: cls.from_mapping(fields[name]) for name, cls in typed.items()})
    return dataclasses.replace(experiment, **fields)


@dataclasses.dataclass(frozen=True, eq=False)
class MixedTrainer(MetaTrainer):
    """The final stage on two grid worlds at once (a distribution of worlds, as the paper's claim 4
    meta-trains on): each member's lifetimes are split in half between ``split`` and ``mix_split``
    (same keys for both members of a pair), and its fitness is the mean lifetime reward over all
    of them, so the per-member budget is the single-world stage's."""

    mix_split: object = None

    def _population_fitness(self, population, member_keys):
        half = member_keys.shape[1] // 2
        first = run_population(self.learner, self.split, population, member_keys[:, :half], self.lifetime,
                               member_chunk=self.member_chunk).fitness
        second = run_population(self.learner, self.mix_split, population, member_keys[:, half:], self.lifetime,
                                member_chunk=self.member_chunk).fitness
        return jnp.concatenate([first, second], axis=1).mean(axis=1)


def snr_at_start(trainer, seed, pairs, lifetimes, centre=None):
    """Signal: RMS over pairs of the true paired difference; noise: per-lifetime std of it."""
    pairs = min(pairs, trainer.pairs)
    state = trainer.init(seed, centre)
    population, _ = trainer.strategy.ask(jax.random.PRNGKey(seed + 99), state, trainer.strategy.default_params)
    population = jax.tree.map(lambda x: jnp.concatenate([x[:pairs], x[trainer.pairs:trainer.pairs + pairs]]),
                              population)
    keys = jax.random.split(jax.random.PRNGKey(seed + 7), (pairs, lifetimes))
    fit = np.asarray(run_population(trainer.learner, trainer.split, population, jnp.concatenate([keys, keys]),
                                    trainer.lifetime, member_chunk=trainer.member_chunk).fitness)
    d = fit[:pairs] - fit[pairs:]  # [pairs, lifetimes]
    mean, var = d.mean(1), d.var(1, ddof=1)
    signal2 = max(float(np.mean(mean ** 2 - var / lifetimes)), 0.0)
    noise = float(np.sqrt(var.mean()))
    return np.sqrt(signal2), noise, (noise ** 2 / signal2 if signal2 > 0 else float("inf"))


def summarise(lifetimes, split, learner):
    rows = lifetimes[(lifetimes["split"] == split) & (lifetimes["learner"] == learner)]
    return (rows["fitness"].mean(), rows["reward_rise"].mean(), rows["episode_return_late"].mean(),
            rows["episode_return_rise"].mean())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiment", required=True)
    parser.add_argument("--learner", default="symla")
    parser.add_argument("--scale", default="quick")
    parser.add_argument("--generations", type=int, default=100,
                        help="generations on the training split (0: meta-test --init-from as it is)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--set", action="append", default=[], help="dotted key=value override")
    parser.add_argument("--test-lifetimes", type=int, default=256)
    parser.add_argument("--eval-seed", type=int, default=2000,
                        help="key of the meta-test lifetimes (default %(default)s: validation lifetimes, not the "
                             "reference's evaluation.seed; rows before this option used 1000)")
    parser.add_argument("--snr-pairs", type=int, default=16)
    parser.add_argument("--snr-lifetimes", type=int, default=64)
    parser.add_argument("--snr-only", action="store_true")
    parser.add_argument("--label", default="")
    parser.add_argument("--run-dir", default=None,
                        help="keep checkpoints here (every 10 generations), so a long trial resumes "
                             "after a kill and a larger --generations continues it; default: a temp dir")
    parser.add_argument("--init-from", default=None, metavar="META_PARAMS",
                        help="curriculum: start the search centre at a previous run's meta_params.msgpack "
                             "(e.g. a --run-dir of an earlier stage) instead of the initial meta-parameters")
    parser.add_argument("--mix", default=None, metavar="SPLIT",
                        help="train the final stage on the training split and SPLIT at once, half of each "
                             "member's lifetimes on each (MixedTrainer)")
    parser.add_argument("--symla-gate-bias", default=None, metavar="INPUT,FORGET",
                        help="SymLA's LSTM gate offsets instead of VSML's -5,5 (the same as "
                             "--set networks.symla.gate_bias=[INPUT,FORGET]; kept for the table's older rows)")
    args = parser.parse_args()
    t0 = time.monotonic()
    if args.symla_gate_bias:
        args.set.append(f"networks.symla.gate_bias=[{args.symla_gate_bias}]")
    experiment = resolve_experiment(load_params("params.yaml", args.scale), args.experiment)
    experiment = apply_overrides(experiment, args.set)
    if args.generations == 0 and (not args.init_from or experiment.curriculum):
        parser.error("--generations 0 meta-tests the --init-from meta-parameters as they are: give --init-from "
                     "and --set 'curriculum=[]'")
    experiment = dataclasses.replace(
        experiment, es=dataclasses.replace(experiment.search, generations=args.generations),
        evaluation=dataclasses.replace(experiment.meta_test, lifetimes=args.test_lifetimes,
                                       chunk=min(args.test_lifetimes, 256), seed=args.eval_seed))
    trainer = make_trainer(experiment, args.learner)
    if args.mix:
        if experiment.search.lifetimes_per_member % 2:
            parser.error("--mix splits each member's lifetimes in half: give an even es.lifetimes_per_member")
        trainer = MixedTrainer(**{f.name: getattr(trainer, f.name) for f in dataclasses.fields(MetaTrainer) if f.init},
                               mix_split=make_split(args.mix))
    centre = None
    if args.init_from:
        centre, _ = load(args.init_from, trainer.learner.init_params(jax.random.PRNGKey(0)))
    signal, noise, need = snr_at_start(trainer, args.seed, args.snr_pairs, args.snr_lifetimes, centre)
    snr = signal * np.sqrt(experiment.search.lifetimes_per_member) / noise
    fitness_blocks, test, swapped, cartpole = "-", "-", "-", "-"
    if not args.snr_only:
        import pandas as pd
        # Everything that changes what is trained, except the generation count (so it continues).
        identity = {"experiment": args.experiment, "learner": args.learner, "scale": args.scale,
                    "seed": args.seed, "set": sorted(args.set), "gate_bias": args.symla_gate_bias}
        if args.mix:
            identity["mix"] = args.mix
        if args.init_from:
            identity["init_from_sha256"] = sha256_file(args.init_from)
        if args.generations == 0:  # meta-test the --init-from meta-parameters as they are
            params = centre
        else:
            with tempfile.TemporaryDirectory() as tmp:
                run_dir = args.run_dir or tmp
                every = 10 if args.run_dir else experiment.total_generations
                params = run_es(trainer, args.seed, identity, experiment.total_generations, every, run_dir,
                                quiet=True, centre=centre, curriculum=make_curriculum(experiment, args.learner),
                                restart_optimizer=experiment.restart_optimizer_after_curriculum,
                                selection=make_selection(experiment, trainer))
                log = pd.read_csv(Path(run_dir) / "train_log.csv")
            blocks = np.array_split(log["fitness_mean"].to_numpy(), min(5, len(log)))
            fitness_blocks = " ".join(f"{b.mean():.2f}" for b in blocks)
        own = {"learner": args.learner, "seed": args.seed}
        tables = [evaluate_learner(experiment, trainer.learner, params, own, None),
                  evaluate_learner(experiment, RandomPolicy(), {}, {"learner": "random", "seed": -1}, None),
                  evaluate_learner(experiment, baseline_learner("reinforce", experiment), {},
                                   {"learner": "reinforce", "seed": -1}, None)]
        lifetimes = add_within_lifetime_metrics(pd.concat([t[0] for t in tables]), pd.concat([t[1] for t in tables]))

        def line(split):
            (f, r, *_), (fr, *_), (fh, rh, *_) = (summarise(lifetimes, split, lrn)
                                                  for lrn in (args.learner, "random", "reinforce"))
            return f"{f:.2f} (random {fr:.2f}, reinforce {fh:.2f}) rise {r:.3f} (reinforce {rh:.3f})"
        test = line(experiment.train_split)
        others = [s for s in experiment.eval_splits if s != experiment.train_split and s.startswith("gridworld")]
        swapped = line(others[0]) if others else "-"
        if "cartpole" in experiment.eval_splits:
            (_, _, late, rise), (_, _, late_r, rise_r), (_, _, late_h, rise_h) = (
                summarise(lifetimes, "cartpole", lrn) for lrn in (args.learner, "random", "reinforce"))
            cartpole = (f"late episode {late:.1f} (random {late_r:.1f}, reinforce {late_h:.1f}); episode rise "
                        f"minus random's {rise - rise_r:+.1f} (reinforce {rise_h - rise_r:+.1f})")
    seconds = time.monotonic() - t0
    row = [time.strftime("%Y-%m-%d %H:%M"), args.label or "-",
           f"{signal:.3f}/{noise:.3f} -> {snr:.2f} at {experiment.search.lifetimes_per_member} lifetimes",
           f"{need:.0f}",
           fitness_blocks, test, swapped, cartpole, f"{seconds:.0f}",
           "uv run python research/harness.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])]
    print(" | ".join(row[1:-1]), flush=True)
    new = not RESULTS.exists()
    with open(RESULTS, "a") as f:
        if new:
            f.write(HEADER)
        f.write("\t".join(row) + "\n")


if __name__ == "__main__":
    main()
