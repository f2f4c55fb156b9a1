"""Which objects does a learner learn to seek or avoid within its lifetime? For grid-world splits
whose four object kinds are told apart by reward sign and by whether collecting them ends the
episode (quad7b: +1 stays, -1 ends, +1 ends, -1 stays), the collections of each kind per tenth of
the lifetime, first three tenths against the last three, for random, REINFORCE and each seed's
meta-trained learner. 256 validation lifetimes (key 2000).

    uv run python research/collections_by_type.py --experiment gridworld --learner symla \
        gridworld-quad7b gridworld-quad7b-swapped
    uv run python research/collections_by_type.py gridworld-quad7r \
        --es-checkpoints results/quick/runs/gridworld/symla/seed0/checkpoints/*/ --every 10

--es-checkpoints meta-tests the search centre of every --every-th ES checkpoint (gen-*.msgpack) of a
run's checkpoint folder instead of published meta-parameters (the kind of a quad7r object is told
apart by respawn speed, not by ending the episode, so all its collections count as "stays").

A within-lifetime learner of the rewards seeks the +1 kinds more and the -1 kinds less as its
lifetime goes on, whatever their dynamics.
"""

import argparse
import sys
from pathlib import Path

import jax
import layouts  # noqa: F401  (registers the research worlds, research/layouts.py)
import numpy as np

from symla.checkpoint import load
from symla.config import load_params, resolve_experiment
from symla.envs.splits import make_split
from symla.evaluate import baseline_learner
from symla.learners import RandomPolicy
from symla.rollout import lifetime_keys, run_lifetimes
from symla.train import make_trainer

sys.path.insert(0, str(Path(__file__).parent))
from checkpoint_trajectory import kept_centres  # noqa: E402
from harness import apply_overrides  # noqa: E402  (the harness's --set)


def collections_by_kind(learner, params, split_name: str, lifetime: int, keys) -> dict:
    """Mean collections per tenth of a lifetime, (first three tenths, last three), per kind."""
    split = make_split(split_name)  # built outside the trace: make_split caches its splits
    r = jax.jit(lambda k: run_lifetimes(learner, split, params, k, lifetime, 10, record=True))(keys)
    reward, done = np.asarray(r.trace["learner_reward"]), np.asarray(r.trace["done"])
    kinds = {"+1 ends": (reward > 0) & done, "+1 stays": (reward > 0) & ~done,
             "-1 ends": (reward < 0) & done, "-1 stays": (reward < 0) & ~done}
    out = {}
    for kind, hit in kinds.items():
        per_tenth = hit[:, : hit.shape[1] // 10 * 10].reshape(hit.shape[0], 10, -1).sum(-1).mean(0)
        out[kind] = (per_tenth[:3].mean(), per_tenth[-3:].mean())
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("splits", nargs="+")
    parser.add_argument("--experiment", default="gridworld")
    parser.add_argument("--learner", default="symla")
    parser.add_argument("--scale", default="quick")
    parser.add_argument("--lifetimes", type=int, default=256)
    parser.add_argument("--checkpoints", nargs="+", metavar="META_PARAMS",
                        help="meta_params.msgpack files to analyse (default: the scale's runs of the experiment, "
                             "e.g. a research.py --run-dir's instead)")
    parser.add_argument("--es-checkpoints", default=None, metavar="CKPT_DIR",
                        help="a run's checkpoints/<identity>/ folder: analyse the centre of its ES checkpoints")
    parser.add_argument("--every", type=int, default=10,
                        help="with --es-checkpoints: every N-th generation (and the last)")
    parser.add_argument("--set", action="append", default=[], help="dotted key=value override, as research.py's")
    args = parser.parse_args()
    experiment = apply_overrides(resolve_experiment(load_params("params.yaml", args.scale), args.experiment), args.set)
    trainer = make_trainer(experiment, args.learner)
    learners = [("random", RandomPolicy(), {}), ("reinforce", baseline_learner("reinforce", experiment), {})]
    if args.es_checkpoints:
        learners += [(f"generation {generation}", trainer.learner, params)
                     for generation, params in kept_centres(trainer, args.es_checkpoints, args.every)]
        named = []
    elif args.checkpoints:
        named = [(Path(ckpt).parent.name, ckpt) for ckpt in args.checkpoints]
    else:
        named = [(f"{args.learner} seed {seed}",
                  f"results/{args.scale}/runs/{args.experiment}/{args.learner}/seed{seed}/meta_params.msgpack")
                 for seed in experiment.seeds]
    for name, ckpt in named:
        params, _ = load(ckpt, trainer.learner.init_params(jax.random.PRNGKey(0)))
        learners.append((name, trainer.learner, params))
    keys = lifetime_keys(2000, args.lifetimes)
    for split in args.splits:
        print(f"{split}: collections per tenth of a {experiment.lifetime}-step lifetime, first 3 tenths -> last 3")
        for name, learner, params in learners:
            kinds = collections_by_kind(learner, params, split, experiment.lifetime, keys)
            print(f"  {name:28s}", " | ".join(f"{k} {a:.2f} -> {b:.2f}" for k, (a, b) in kinds.items()), flush=True)


if __name__ == "__main__":
    main()
