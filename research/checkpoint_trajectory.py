"""Meta-test the saved ES checkpoints of one run along its training: when did it learn what.

    uv run python research/checkpoint_trajectory.py EXPERIMENT LEARNER CKPT_DIR SPLIT [SPLIT ...]
        [--every 50] [--lifetimes 256] [--eval-seed 2000]

CKPT_DIR holds gen-*.msgpack ES states (a run's checkpoints/<identity>/ folder, or copies of them
kept while it ran, since a run keeps only its newest few). For every --every-th generation it
meta-tests the search centre on each SPLIT with --lifetimes validation lifetimes (key --eval-seed,
not the reference's evaluation.seed) and prints one row per (generation, split): the mean lifetime
reward, the within-lifetime reward rise per tenth (claim 3's statistic) and the rise's standard
error over lifetimes, so a difference between checkpoints can be read against its noise.
"""

import argparse
import dataclasses
from pathlib import Path

import layouts  # noqa: F401  (registers the research worlds, research/layouts.py)

from symla.analysis import add_within_lifetime_metrics
from symla.checkpoint import read_state, restore
from symla.config import load_params, resolve_experiment
from symla.evaluate import evaluate_learner
from symla.train import make_trainer, state_checkpoints


def kept_centres(trainer, ckpt_dir, every: int):
    """(generation, search centre) of every ``every``-th ES checkpoint in a run's checkpoint folder,
    and of its last one, oldest first."""
    template = trainer.init(0)
    checkpoints = sorted(state_checkpoints(Path(ckpt_dir)))  # the run's own listing, oldest first here
    if not checkpoints:
        raise SystemExit(f"no gen-*.msgpack in {ckpt_dir}; give a run's checkpoints/<identity>/ folder")
    for generation, path in checkpoints:
        if generation % every == 0 or generation == checkpoints[-1][0]:
            yield generation, trainer.meta_params(restore(read_state(path)[0], template, path))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("experiment")
    parser.add_argument("learner")
    parser.add_argument("ckpt_dir")
    parser.add_argument("splits", nargs="+")
    parser.add_argument("--every", type=int, default=50)
    parser.add_argument("--lifetimes", type=int, default=256)
    parser.add_argument("--eval-seed", type=int, default=2000)
    parser.add_argument("--scale", default="quick")
    args = parser.parse_args()
    experiment = resolve_experiment(load_params("params.yaml", args.scale), args.experiment)
    experiment = dataclasses.replace(experiment, evaluation=dataclasses.replace(
        experiment.meta_test, lifetimes=args.lifetimes, chunk=min(args.lifetimes, 256), seed=args.eval_seed))
    trainer = make_trainer(experiment, args.learner)
    print("generation\tsplit\tfitness\treward_rise\trise_se", flush=True)
    for generation, params in kept_centres(trainer, args.ckpt_dir, args.every):
        lifetimes, bins = evaluate_learner(experiment, trainer.learner, params, {"learner": args.learner, "seed": 0},
                                    args.splits)
        lifetimes = add_within_lifetime_metrics(lifetimes, bins)
        for split, rows in lifetimes.groupby("split", sort=False):
            rise = rows["reward_rise"]
            print(f"{generation}\t{split}\t{rows['fitness'].mean():.2f}\t{rise.mean():.3f}\t"
                  f"{rise.std() / len(rise) ** 0.5:.3f}", flush=True)


if __name__ == "__main__":
    main()
