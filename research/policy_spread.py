"""How far SymLA's policy is from uniform: logit spread and action entropy over real lifetimes.

Why: ES can only improve what changes the fitness. SymLA's logits are a mean over its input
units, so at initialisation they shrink as the input grows; this prints by how much, for fresh
meta-parameters and for the trained checkpoints of a results folder (README: why claims 3 and 4
fail at quick scale).

    uv run python research/policy_spread.py [--results results/quick] [--lifetimes 16]
"""

import argparse
from pathlib import Path

import jax
import jax.numpy as jnp
import layouts  # noqa: F401  (registers the research worlds, research/layouts.py)
import numpy as np

from symla.envs.splits import make_split
from symla.evaluate import load_any_checkpoint
from symla.learners import SymLA
from symla.rollout import run_lifetimes

SPLITS = {"bandits": "bandit-2arm-biased", "control": "cartpole", "gridworld": "gridworld-tiny"}


def spread(learner, params, split_name, lifetimes, length=200):
    """(std of the centred logits, mean action entropy / uniform entropy) over ``lifetimes``."""
    keys = jax.random.split(jax.random.PRNGKey(0), lifetimes)
    trace = run_lifetimes(learner, make_split(split_name), params, keys, length, record=True).trace
    logits = trace["logits"] - trace["logits"].mean(-1, keepdims=True)
    p = jax.nn.softmax(trace["logits"])
    entropy = -(p * jnp.log(jnp.clip(p, 1e-30))).sum(-1).mean()
    return float(logits.std()), float(entropy / np.log(logits.shape[-1]))


def row(name, split, std, entropy):
    print(f"{name:42s} {split:20s} {make_split(split).obs_size:6d} {std:10.4f} {entropy:16.3f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--results", default="results/quick", help="folder with runs/<experiment>/symla/seed*/")
    ap.add_argument("--lifetimes", type=int, default=16)
    args = ap.parse_args()
    print(f"{'meta-parameters':42s} {'split':20s} {'inputs':>6s} {'logit std':>10s} {'entropy/uniform':>16s}")
    single = SymLA()
    paper = SymLA(hidden=(32,), message_norm=True)  # params.yaml: gridworld at scale paper
    fresh = [("", single, split) for split in SPLITS.values()]
    fresh.append(("paper net 75-32-5 + norm, ", paper, "gridworld-tiny"))
    for label, learner, split in fresh:
        for seed in range(3):
            params = learner.init_params(jax.random.PRNGKey(seed))
            row(f"fresh, {label}seed {seed}", split, *spread(learner, params, split, args.lifetimes))
    for experiment, split in SPLITS.items():
        for path in sorted(Path(args.results).glob(f"runs/{experiment}/symla/seed*/meta_params.msgpack")):
            trained, params, _ = load_any_checkpoint(path)
            for target in dict.fromkeys([split, "gridworld-tiny"]):
                row(f"trained {experiment} {path.parent.name}", target,
                    *spread(trained, params, target, args.lifetimes))

if __name__ == "__main__":
    main()
