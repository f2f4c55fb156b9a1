"""Can a split be learned within one lifetime at all? The hand-written REINFORCE learner against
a random policy and the known-good reference, over a grid of its hyperparameters.

    uv run python research/yardstick.py gridworld-ego 400 --lr 0.03,0.1,0.3,1,3 --trace 0,0.5,0.9

Prints, per learner: mean lifetime reward, within-lifetime rise (reward per tenth, last three
tenths minus first three), the late episode return and its rise (reward per episode ended in the
last third, minus the same in the first: the claims' renewal estimate), over 256 lifetimes (key 7). Choose the
hyperparameters on a training split only (params.yaml baselines.reinforce records the choice).
"""

import argparse
import dataclasses
import itertools

import jax
import jax.numpy as jnp
import layouts  # noqa: F401  (registers the research worlds, research/layouts.py)
import numpy as np

from symla.envs.splits import make_split
from symla.learners import FixedPolicy, RandomPolicy
from symla.learners.reference import reference_policy
from symla.learners.reinforce import Reinforce
from symla.rollout import lifetime_keys, run_lifetimes


@dataclasses.dataclass(frozen=True)
class Habit(FixedPolicy):
    """Blind to the observation: repeats (repeat=True) or alternates its previous action, the
    habits a learner can bring from one world to another (first action at random)."""

    repeat: bool = True

    def step(self, params, state, obs, prev_action, reward):
        same = 30.0 * (2 * prev_action - 1) if self.repeat else 30.0 * (1 - 2 * prev_action)
        return jnp.where(prev_action.sum() > 0, same, 0.0), state


def measure(learner, split, keys, lifetime):
    """Mean lifetime reward, reward rise per tenth, and the claims' episode-return metrics: the
    renewal estimate (reward per episode ended) of the last third, and its rise from the first."""
    r = jax.jit(lambda k: run_lifetimes(learner, split, {}, k, lifetime, 10))(keys)
    reward, episodes = (np.asarray(x, np.float64) for x in (r.bin_reward, r.bin_episodes))
    with np.errstate(invalid="ignore", divide="ignore"):
        late = reward[:, 7:].sum(1) / np.where(episodes[:, 7:].sum(1) > 0, episodes[:, 7:].sum(1), np.nan)
        early = reward[:, :3].sum(1) / np.where(episodes[:, :3].sum(1) > 0, episodes[:, :3].sum(1), np.nan)
    return (np.asarray(r.fitness).mean(), (reward[:, 7:].mean(1) - reward[:, :3].mean(1)).mean(),
            np.nanmean(late), np.nanmean(late - early))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("split")
    parser.add_argument("lifetime", type=int)
    parser.add_argument("--lr", default="0.3")
    parser.add_argument("--trace", default="0.5")
    parser.add_argument("--baseline-decay", type=float, default=0.99)
    parser.add_argument("--lifetimes", type=int, default=256)
    args = parser.parse_args()
    split = make_split(args.split)
    keys = lifetime_keys(7, args.lifetimes)
    show = lambda name, values: print(  # noqa: E731
        f"{name:32s} reward {values[0]:8.3f}  rise {values[1]:7.3f}  late episode {values[2]:7.3f}"
        f"  episode rise {values[3]:7.3f}", flush=True)
    show("random", measure(RandomPolicy(), split, keys, args.lifetime))
    if split.num_actions == 2:
        show("repeat the previous action", measure(Habit(True), split, keys, args.lifetime))
        show("alternate", measure(Habit(False), split, keys, args.lifetime))
    if ref := reference_policy(split):
        show("reference", measure(ref[0], ref[1], keys, args.lifetime))
    for lr, trace in itertools.product(map(float, args.lr.split(",")), map(float, args.trace.split(","))):
        show(f"reinforce lr {lr:g} trace {trace:g}",
             measure(Reinforce(lr, trace, args.baseline_decay), split, keys, args.lifetime))


if __name__ == "__main__":
    main()
