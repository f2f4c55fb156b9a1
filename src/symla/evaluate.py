"""Meta-testing: run a trained learner (or a baseline) for many lifetimes on held-out splits.

Every learner and baseline sees the same lifetimes: lifetime i of a split uses key i of
``evaluation.seed``, so results pair up across learners, seeds and splits (a permuted split
draws the same task as its unpermuted twin, only seen through the permutation). Lifetimes run in
chunks of ``evaluation.chunk`` to bound memory. Output is tidy: one row per lifetime, and one row
per lifetime and lifetime part (bin).
"""

import dataclasses

import jax
import numpy as np
import pandas as pd

from symla import checkpoint
from symla.config import TRANSFER_SEED, Experiment, build_learner
from symla.envs.catalog import parse_split
from symla.envs.splits import make_split
from symla.errors import SymlaError
from symla.learners import RandomPolicy
from symla.learners.reference import reference_policy
from symla.progress import Progress
from symla.rollout import lifetime_keys, lifetime_task, run_chunked


def meta_test_keys(experiment: Experiment):
    """The meta-test lifetimes' keys: the same tasks for every learner and seed."""
    return lifetime_keys(experiment.meta_test.seed, experiment.meta_test.lifetimes)


def to_tables(result, ids: dict):
    n, num_bins = result.bin_reward.shape
    episodes = np.asarray(result.episodes)
    ep_sum = np.asarray(result.bin_episode_return).sum(1)
    lifetimes = pd.DataFrame({
        **{k: [v] * n for k, v in ids.items()},
        "lifetime_index": np.arange(n),
        "fitness": np.asarray(result.fitness, np.float64),
        "env_return": np.asarray(result.env_return, np.float64),
        "episodes": episodes.astype(np.int64),
        "mean_episode_return": np.where(episodes > 0, ep_sum / np.maximum(episodes, 1), np.nan),
    })
    bins = pd.DataFrame({
        **{k: [v] * (n * num_bins) for k, v in ids.items()},
        "lifetime_index": np.repeat(np.arange(n), num_bins),
        "bin": np.tile(np.arange(num_bins), n),
        "reward": np.asarray(result.bin_reward, np.float64).reshape(-1),
        "episodes": np.asarray(result.bin_episodes).reshape(-1).astype(np.int64),
        "episode_return_sum": np.asarray(result.bin_episode_return, np.float64).reshape(-1),
    })
    return lifetimes, bins


def load_meta_params(experiment: Experiment, learner_name: str, seed: int, path):
    """The checkpoint's learner and meta-parameters, after checking that it is the run asked for
    (experiment, scale, learner, seed, network and ES settings, generations) and finite."""
    from symla.outputs import identity_difference
    from symla.train import run_identity

    _, meta = checkpoint.load_raw(path)
    wanted = run_identity(experiment, learner_name, seed, generations=True)
    if diff := identity_difference(wanted, meta.get("identity")):
        raise SymlaError(f"{path} is not the run asked for ({diff}); pass the matching checkpoint "
                         "or retrain it with these settings")
    learner = build_learner(experiment, learner_name)
    params, meta = checkpoint.load(path, learner.init_params(jax.random.PRNGKey(0)))
    _check_finite(params, path)
    return learner, params, meta


def _check_finite(params, path):
    if not checkpoint.all_finite(params):
        raise SymlaError(f"{path} holds non-finite meta-parameters (NaN or inf); it cannot be evaluated: "
                         "retrain with a smaller learning_rate or noise_std")


def load_any_checkpoint(path):
    """A trained learner from its checkpoint alone: the metadata names the learner and settings."""
    from symla.learners import make_learner

    _, meta = checkpoint.load_raw(path)
    if "learner" not in meta or "learner_settings" not in meta:
        raise SymlaError(f"{path} is not a meta_params checkpoint written by `symla train`")
    learner = make_learner(meta["learner"], **meta["learner_settings"])
    params, meta = checkpoint.load(path, learner.init_params(jax.random.PRNGKey(0)))
    _check_finite(params, path)
    return learner, params, meta


def transfer(path, split_names, lifetimes: int, lifetime: int, num_bins=10, seed=TRANSFER_SEED, chunk=256,
             reinforce=None):
    """Apply any trained checkpoint to any splits (or gymnax ids), with a random policy and the
    hand-written REINFORCE learner (hyperparameters ``reinforce``) beside it."""
    learner, params, meta = load_any_checkpoint(path)
    hand = baseline_learner("reinforce", settings=reinforce or {})
    keys = np.asarray(lifetime_keys(seed, lifetimes))
    tables, bin_tables = [], []
    for split_name in split_names:
        split = make_split(split_name)
        learner.check_sizes(split.obs_size, split.num_actions)
        for name, lrn, prm in ((meta["learner"], learner, params), ("random", RandomPolicy(), {}),
                               ("reinforce", hand, {})):
            result = run_chunked(lrn, split, prm, keys, lifetime, num_bins, min(chunk, lifetimes))
            lt, bn = to_tables(result, {"experiment": "transfer", "split": split_name, "learner": name,
                                        "seed": meta["identity"]["seed"] if name == meta["learner"] else -1})
            tables.append(lt)
            bin_tables.append(bn)
    return pd.concat(tables, ignore_index=True), pd.concat(bin_tables, ignore_index=True)


def baseline_learner(name: str, experiment: Experiment | None = None, settings: dict | None = None):
    """A learner with nothing to meta-train: 'random', or 'reinforce' with the experiment's
    hyperparameters (params.yaml baselines.reinforce)."""
    if name == "random":
        return RandomPolicy()
    from symla.learners.reinforce import Reinforce

    if settings is None:
        if experiment is None:
            raise ValueError("baseline_learner('reinforce') needs the experiment or its settings")
        reinforce = experiment.baselines.reinforce
        settings = dataclasses.asdict(reinforce) if reinforce else {}
    return Reinforce(**settings)


def evaluate_checkpoint(experiment: Experiment, learner_name: str, seed: int, path, splits=None):
    """Meta-test one trained checkpoint on every held-out split of its experiment."""
    learner, params, _ = load_meta_params(experiment, learner_name, seed, path)
    return evaluate_learner(experiment, learner, params, {"learner": learner_name, "seed": seed}, splits)


def _policy_baseline(make):
    """A baseline that is a policy run like a learner: ``make(experiment, split)`` gives
    (policy, the split to run it on) or None where it does not apply."""
    def run(experiment, split, runs):
        made = make(experiment, split)
        if made is None:
            return None
        policy, run_on = made
        if run_on.name not in runs:  # a permuted split's reference runs as its twin, once
            runs[run_on.name] = evaluate_learner(experiment, policy, {}, {"learner": None, "seed": -1}, [run_on.name])
        return tuple(t.assign(split=split.name) for t in runs[run_on.name])
    return run


def _best_arm(experiment, split, runs):
    """Bandits: the best arm's expected reward over the lifetime (no rollout: a number per task)."""
    if parse_split(split.name).family != "bandit":
        return None
    tasks = jax.vmap(lambda k: lifetime_task(split, k))(meta_test_keys(experiment))
    best = np.asarray(tasks.env_params.arm_probs.max(1), np.float64) * experiment.split_lifetime(split.name)
    table = pd.DataFrame({"experiment": experiment.name, "split": split.name, "learner": None, "seed": -1,
                          "lifetime_index": np.arange(len(best)), "fitness": best, "env_return": best,
                          "episodes": 0, "mean_episode_return": np.nan})
    return table, None


# The baselines beside every learner, in table order: a uniform random policy, the hand-written
# REINFORCE yardstick, a known-good reference policy (symla.learners.reference) and, on bandits,
# the best arm. Each gives (lifetimes, bins) tables for one split, or None where it does not apply.
BASELINES = {
    "random": _policy_baseline(lambda experiment, split: (RandomPolicy(), split)),
    "reinforce": _policy_baseline(lambda experiment, split: (baseline_learner("reinforce", experiment), split)),
    "reference": _policy_baseline(lambda experiment, split: reference_policy(split)),
    "best_arm": _best_arm,
}


def evaluate_baselines(experiment: Experiment, splits=None):
    """Every baseline of BASELINES on every split of the experiment, on the same lifetimes."""
    lifetimes, bins = [], []
    for name, baseline in BASELINES.items():
        runs: dict[str, tuple] = {}
        for split_name in splits or experiment.eval_splits:
            tables = baseline(experiment, make_split(split_name), runs)
            if tables is not None:
                lifetimes.append(tables[0].assign(learner=name))
                if tables[1] is not None:
                    bins.append(tables[1].assign(learner=name))
    return pd.concat(lifetimes, ignore_index=True), pd.concat(bins, ignore_index=True)


def evaluate_learner(experiment, learner, params, ids, splits):
    """Meta-test ``learner`` with ``params`` on ``splits`` (None: the experiment's evaluation
    splits), on the experiment's meta-test lifetimes; (lifetimes, bins) tables labelled with ``ids``."""
    tables, bin_tables = [], []
    keys = np.asarray(meta_test_keys(experiment))
    chunk = min(experiment.meta_test.chunk or len(keys), len(keys))
    splits = list(splits or experiment.eval_splits)
    per_split = -(-len(keys) // chunk)
    label = f"{experiment.name}/{ids.get('learner') or 'baseline'}"
    label += f"/seed{ids['seed']}" if ids["seed"] >= 0 else ""
    progress = Progress(per_split * len(splits), label=label, unit="chunk")  # meta-test chunks, every split
    for number, split_name in enumerate(splits):
        split = make_split(split_name)
        learner.check_sizes(split.obs_size, split.num_actions)
        done = iter(range(number * per_split + 1, (number + 1) * per_split + 1))
        result = run_chunked(learner, split, params, keys, experiment.split_lifetime(split_name),
                             experiment.meta_test.num_bins, chunk,
                             on_chunk=lambda name=split_name, done=done: progress.update(next(done), split=name))
        lt, bn = to_tables(result, {"experiment": experiment.name, "split": split_name, **ids})
        tables.append(lt)
        bin_tables.append(bn)
    return pd.concat(tables, ignore_index=True), pd.concat(bin_tables, ignore_index=True)
