"""How late does a failure say which action was wrong? For a split with a known-good reference
policy and two or more actions, a random policy's lifetimes; at every punished termination (the
learner's reward < 0 as the episode ends), the share of the k-th last actions (k = 1 is the action
of the failing step) that disagreed with the reference's choice in that state.

    uv run python research/credit.py cartpole gridworld-sway7dn gridworld-cart9

A world where k = 1 is far above one half teaches a learner to blame the last move; CartPole's
last move before a fall is no better than chance (the informative ones come a few steps earlier),
so a rule meta-learned on the first kind learns noise on the second. 256 lifetimes of 500 steps.
"""

import argparse
import dataclasses

import jax
import layouts  # noqa: F401  (registers the research worlds, research/layouts.py)
import numpy as np

from symla.envs.splits import make_split
from symla.learners import FixedPolicy
from symla.learners.reference import reference_policy
from symla.rollout import lifetime_keys, run_lifetimes

WHISPER = 1e-6  # the reference's logits scaled to nothing: acts at random, records the reference


@dataclasses.dataclass(frozen=True)
class RandomRecordingReference(FixedPolicy):
    """Acts (to within 1e-5 in probability) uniformly at random; its logits are the reference's,
    scaled by WHISPER, so the trace records what the reference would have done."""

    reference: FixedPolicy

    def step(self, params, state, obs, prev_action, reward):
        logits, _ = self.reference.step(params, state, obs, prev_action, reward)
        return WHISPER * logits, state


def blame_profile(split_name: str, depth: int = 10, lifetimes: int = 256, length: int = 500):
    split = make_split(split_name)
    reference, twin = reference_policy(split)
    r = jax.jit(lambda k: run_lifetimes(RandomRecordingReference(reference), twin, {}, k, length, record=True))(
        lifetime_keys(7, lifetimes))
    action, logits = np.asarray(r.trace["action"]), np.asarray(r.trace["logits"])
    failed = np.asarray(r.trace["done"]) & (np.asarray(r.trace["learner_reward"]) < 0)
    decided = (logits == logits.max(-1, keepdims=True)).sum(-1) == 1  # the reference has one choice
    wrong = action != logits.argmax(-1)
    fail_rows, fail_cols = np.nonzero(failed)
    out = []
    for k in range(1, depth + 1):  # the k-th last action before each failure, where the lifetime has one
        ok = fail_cols >= k - 1
        rows, cols = fail_rows[ok], fail_cols[ok] - (k - 1)
        keep = decided[rows, cols]
        out.append((wrong[rows, cols][keep].mean(), int(keep.sum())))
    return out, int(failed.sum())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("splits", nargs="+")
    parser.add_argument("--depth", type=int, default=10)
    args = parser.parse_args()
    for name in args.splits:
        profile, failures = blame_profile(name, args.depth)
        print(f"{name:24s} {failures:6d} failures; P(k-th last action was not the reference's), k = 1..{args.depth}: "
              + " ".join(f"{p:.2f}" for p, _ in profile), flush=True)


if __name__ == "__main__":
    main()
