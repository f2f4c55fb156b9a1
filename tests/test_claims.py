"""Statistics behind the claims, and proof that the claims can fail: random meta-parameters, or
a MetaRNN that memorised the training bias put in SymLA's place, fail them on fixed inputs."""

import dataclasses
import json

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
import pytest
from conftest import REPO

from symla.analysis import add_within_lifetime_metrics, claim_statistic, hierarchical_bootstrap
from symla.config import load_params, resolve_experiment, resolved_claims
from symla.evaluate import evaluate_baselines, evaluate_learner
from symla.learners import MetaRNN, SymLA
from symla.verify import compare


def test_bootstrap_is_deterministic_and_centred():
    values = np.random.default_rng(1).normal(3.0, 1.0, (3, 400))
    mean, low, high = hierarchical_bootstrap(values)
    assert (mean, low, high) == hierarchical_bootstrap(values)
    assert low < 3.0 < high and high - low < 0.5
    # seeds that disagree widen the interval: variation across seeds counts
    shifted = values + np.array([[-2.0], [0.0], [2.0]])
    _, low2, high2 = hierarchical_bootstrap(shifted)
    assert high2 - low2 > 4 * (high - low)


def table(learner, split, values, seed_axis=True):
    values = np.atleast_2d(values)
    rows = [{"learner": learner, "split": split, "seed": s if seed_axis else -1, "lifetime_index": i, "fitness": v}
            for s, row in enumerate(values) for i, v in enumerate(row)]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("test,a,b,threshold,passed", [
    ("greater", 10.0, 5.0, 3.0, True), ("greater", 10.0, 8.0, 3.0, False),
    ("less", 5.0, 10.0, 3.0, True), ("less", 9.0, 10.0, 3.0, False),
    ("within", 10.0, 10.2, 1.0, True), ("within", 10.0, 12.0, 1.0, False),
])
def test_claim_tests(test, a, b, threshold, passed):
    rng = np.random.default_rng(0)
    t = pd.concat([table("x", "s1", a + rng.normal(0, 0.5, (3, 300))),
                   table("random", "s2", b + rng.normal(0, 0.5, (1, 300)), seed_axis=False)])
    claim = {"a": {"learner": "x", "split": "s1"}, "b": {"learner": "random", "split": "s2"},
             "test": test, "threshold": threshold}
    assert claim_statistic(t, claim)["passed"] is passed


def experiment_at(name, lifetime, lifetimes=300):
    """The smoke experiment meta-tested for ``lifetime`` steps on every split (the smoke scale's
    per-split lifetimes are dropped: they are there to exercise the DAG, not to judge a claim)."""
    params = load_params(REPO / "params.yaml", "smoke")
    exp = resolve_experiment(params, name, "smoke")
    evaluation = dataclasses.replace(exp.meta_test, lifetimes=lifetimes, split_lifetimes={})
    return params, dataclasses.replace(exp, lifetime=lifetime, evaluation=evaluation)


def bandit_experiment():
    return experiment_at("bandits", 100)


def claims_for(params, experiment, learner_tables):
    """Verdicts of the experiment's SymLA claims, with the given tables standing in for SymLA."""
    base_lt, base_bins = evaluate_baselines(experiment)
    lifetimes = pd.concat([base_lt] + [t[0] for t in learner_tables], ignore_index=True)
    bins = pd.concat([base_bins] + [t[1] for t in learner_tables], ignore_index=True)
    lifetimes = add_within_lifetime_metrics(lifetimes, bins)
    return {name: claim_statistic(lifetimes, c) for name, c in resolved_claims(params, experiment.scale).items()
            if c["experiment"] == experiment.name and c["a"]["learner"] == "symla"}


def test_random_meta_parameters_fail_the_bandit_claims():
    params, exp = bandit_experiment()
    learner = SymLA()
    tables = [evaluate_learner(exp, learner, learner.init_params(jax.random.PRNGKey(s)),
                               {"learner": "symla", "seed": s}, None)
              for s in range(2)]
    verdicts = claims_for(params, exp, tables)
    assert not verdicts["c1_symla_more_arms_above_random"]["passed"]


def test_random_meta_parameters_fail_the_grid_world_and_transfer_claims():
    params, exp = experiment_at("gridworld", lifetime=200, lifetimes=200)
    learner = SymLA()
    tables = [evaluate_learner(exp, learner, learner.init_params(jax.random.PRNGKey(s)),
                               {"learner": "symla", "seed": s}, None)
              for s in range(2)]
    verdicts = claims_for(params, exp, tables)
    assert set(verdicts) == {"c3_symla_adapts_to_swapped_rewards", "c4_symla_learns_cartpole_within_lifetime",
                             "c4_symla_cartpole_above_random"}
    assert not any(v["passed"] for v in verdicts.values()), verdicts


def test_a_random_policy_in_symlas_place_fails_the_transfer_claims():
    """A policy that learns nothing fails both transfer checks; its estimated episode return even
    falls a little within the lifetime (the estimate is conservative: see add_within_lifetime_metrics)."""
    params, exp = experiment_at("gridworld", lifetime=200, lifetimes=200)
    exp = dataclasses.replace(exp, eval_splits=("cartpole",))
    base_lt, base_bins = evaluate_baselines(exp)
    random_lt, random_bins = base_lt[base_lt["learner"] == "random"], base_bins[base_bins["learner"] == "random"]
    lifetimes = add_within_lifetime_metrics(
        pd.concat([base_lt] + [random_lt.assign(learner="symla", seed=s) for s in range(2)], ignore_index=True),
        pd.concat([base_bins] + [random_bins.assign(learner="symla", seed=s) for s in range(2)], ignore_index=True))
    rise = lifetimes[lifetimes["learner"] == "random"]["episode_return_rise"].mean()
    assert rise < 0.0  # no fall can happen in the first steps of a lifetime: early parts look longer
    claims = resolved_claims(params, exp.scale)
    for name in ("c4_symla_learns_cartpole_within_lifetime", "c4_symla_cartpole_above_random"):
        assert not claim_statistic(lifetimes, claims[name])["passed"], name


def test_an_alternating_policy_is_above_random_on_cartpole_but_does_not_learn():
    """Pushing left and right in turn balances the pole longer than a random policy with no
    learning at all, so claim 4's 'above random' alone would credit a non-learner; its 'rises
    within the lifetime' check must not."""
    import dataclasses as dc

    from symla.learners import FixedPolicy

    @dc.dataclass(frozen=True)
    class Alternate(FixedPolicy):
        def step(self, params, state, obs, prev_action, reward):
            return jnp.where(prev_action.sum() > 0, 30.0 * (1 - 2 * prev_action), 0.0), state

    params, exp = experiment_at("gridworld", lifetime=200, lifetimes=200)
    exp = dataclasses.replace(exp, eval_splits=("cartpole",))
    tables = [evaluate_learner(exp, Alternate(), {}, {"learner": "symla", "seed": s}, None) for s in range(2)]
    base_lt, base_bins = evaluate_baselines(exp)
    lifetimes = add_within_lifetime_metrics(pd.concat([base_lt] + [t[0] for t in tables], ignore_index=True),
                                            pd.concat([base_bins] + [t[1] for t in tables], ignore_index=True))
    claims = resolved_claims(params, exp.scale)
    verdicts = {name: claim_statistic(lifetimes, claims[name])
                for name in ("c4_symla_cartpole_above_random", "c4_symla_learns_cartpole_within_lifetime")}
    assert verdicts["c4_symla_cartpole_above_random"]["passed"]
    assert not verdicts["c4_symla_learns_cartpole_within_lifetime"]["passed"]


def test_metarnn_in_symlas_place_fails_the_permutation_claim():
    """A black box that memorised 'arm 0 is best' (the training bias) is not invariant."""
    params, exp = bandit_experiment()
    learner = MetaRNN(obs_size=1, num_actions=5, hidden_size=8)
    memorised = jax.tree.map(jnp.zeros_like, learner.init_params(jax.random.PRNGKey(0)))
    memorised["b_out"] = jnp.array([4.0, 0.0, 0.0, 0.0, 0.0])
    tables = [evaluate_learner(exp, learner, memorised, {"learner": "symla", "seed": s}, None) for s in range(2)]
    verdicts = claims_for(params, exp, tables)
    assert not verdicts["c1_symla_arm_permutation_unchanged"]["passed"]
    assert verdicts["c1_symla_arm_permutation_unchanged"]["difference"] < -10


def test_compare_lists_identical_tolerable_and_different(tmp_path):
    m1 = {"kind": "symla-manifest", "files": {"a": "1", "b": "2", "c": "3"}}
    m2 = {"kind": "symla-manifest", "files": {"a": "1", "b": "X", "d": "4"}}
    (tmp_path / "m1.json").write_text(json.dumps(m1))
    (tmp_path / "m2.json").write_text(json.dumps(m2))
    rows = {r[0]: r[1] for r in compare(tmp_path / "m1.json", tmp_path / "m2.json")}
    assert rows == {"a": "bit-identical", "b": "different", "c": "missing", "d": "missing"}
    base = {"a_mean": 10.0, "b_mean": 5.0, "difference": 5.0, "ci_low": 4.0, "ci_high": 6.0, "passed": True}
    c1 = {"kind": "symla-claims", "claims": {"x": base, "y": base, "z": base}}
    c2 = {"kind": "symla-claims", "claims": {"x": base, "y": {**base, "a_mean": 10.5, "difference": 5.5},
                                             "z": {**base, "difference": 1.0, "passed": False}}}
    (tmp_path / "c1.json").write_text(json.dumps(c1))
    (tmp_path / "c2.json").write_text(json.dumps(c2))
    rows = {r[0]: r[1] for r in compare(tmp_path / "c1.json", tmp_path / "c2.json")}
    assert rows == {"x": "bit-identical", "y": "within tolerance", "z": "different"}


def test_reference_policies_are_known_good_on_every_split_they_cover():
    """The figures' "reference" line: far above random, and identical on a permuted split (which
    runs as its unpermuted twin on the same lifetimes), so it marks a real ceiling."""
    _, grid = experiment_at("gridworld", lifetime=200, lifetimes=64)
    _, control = experiment_at("control", lifetime=500, lifetimes=64)
    control = dataclasses.replace(control, eval_splits=("cartpole", "cartpole-permuted"))
    for exp in (grid, control):
        lifetimes, _ = evaluate_baselines(exp)
        mean = lifetimes.groupby(["learner", "split"])["fitness"].mean()
        assert set(lifetimes[lifetimes["learner"] == "reference"]["split"]) == set(exp.eval_splits)
        for split in exp.eval_splits:
            assert mean["reference", split] > mean["random", split] + 3.0, (split, mean)
    cartpole = lifetimes[lifetimes["learner"] == "reference"].set_index(["split", "lifetime_index"])["fitness"]
    np.testing.assert_array_equal(cartpole["cartpole"].to_numpy(), cartpole["cartpole-permuted"].to_numpy())
    assert cartpole.mean() > -0.1  # at most one failure in ten 500-step lifetimes (random: ~22 each)


def test_greedy_collector_never_steps_onto_a_punishing_object():
    from symla.envs.splits import make_split
    from symla.learners.reference import reference_policy
    from symla.rollout import run_lifetimes

    for name in ("gridworld-tiny", "gridworld-tiny-swapped"):
        policy, split = reference_policy(make_split(name))
        result = run_lifetimes(policy, split, {}, jax.random.split(jax.random.PRNGKey(0), 32), 200, record=True)
        assert float(result.trace["reward"].min()) == 0.0 and float(result.trace["reward"].max()) == 1.0
        assert float(result.fitness.mean()) > 2.0  # several +1 objects per 200 steps (random: ~0)


def test_random_meta_parameters_fail_the_control_claim():
    params, exp = experiment_at("control", lifetime=200, lifetimes=200)
    learner = SymLA()
    tables = [evaluate_learner(exp, learner, learner.init_params(jax.random.PRNGKey(s)),
                               {"learner": "symla", "seed": s}, None)
              for s in range(2)]
    assert not claims_for(params, exp, tables)["c2_symla_above_random"]["passed"]


def test_metarnn_in_symlas_place_fails_the_control_permutation_claim():
    """A black box that memorised a good CartPole controller (the reference policy's rule, wired
    into one LSTM unit) beats random on CartPole but is not invariant to the permutation."""
    from symla.envs.splits import CLASSIC_CONTROL
    from symla.learners.reference import CartPoleController

    params, exp = experiment_at("control", lifetime=200, lifetimes=200)
    learner = MetaRNN(obs_size=4, num_actions=2, hidden_size=4)
    N = learner.hidden_size
    memorised = jax.tree.map(jnp.zeros_like, learner.init_params(jax.random.PRNGKey(0)))
    rule = jnp.asarray(CartPoleController.gains) * jnp.asarray(CLASSIC_CONTROL["cartpole"][3])  # on scaled obs
    # Gates (i, f, g, o): input and output open, no memory; unit 0's cell input g is the rule.
    memorised["b"] = memorised["b"].at[0].set(10.0).at[N].set(-10.0).at[3 * N].set(10.0)
    memorised["w_x"] = memorised["w_x"].at[:4, 2 * N].set(rule)
    memorised["w_out"] = memorised["w_out"].at[0].set(jnp.array([-30.0, 30.0]))
    tables = [evaluate_learner(exp, learner, memorised, {"learner": "symla", "seed": s}, None) for s in range(2)]
    verdicts = claims_for(params, exp, tables)
    assert not verdicts["c2_symla_permutation_unchanged"]["passed"]
    assert verdicts["c2_symla_permutation_unchanged"]["difference"] < -3  # many more failures permuted
    canonical = pd.concat([t[0] for t in tables]).query("split == 'cartpole'")["fitness"].mean()
    assert canonical > -0.5, canonical  # the memorised controller does balance the unpermuted pole
