"""The hand-written REINFORCE yardstick: no meta-parameters, permutation invariant like SymLA,
and it learns within one lifetime where the task allows it."""

import jax
import jax.numpy as jnp
import numpy as np

from symla.envs.splits import make_split
from symla.learners import RandomPolicy
from symla.learners.reinforce import Reinforce
from symla.rollout import run_lifetimes


def test_no_meta_parameters_and_weights_start_at_zero():
    learner = Reinforce(0.3, 0.5, 0.99)
    assert learner.init_params(jax.random.PRNGKey(0)) == {}
    state = learner.init_state({}, jax.random.PRNGKey(0), 6, 5)
    assert not np.asarray(state["w"]).any() and np.allclose(state["probs"], 0.2)


def test_update_is_the_policy_gradient_times_the_advantage():
    learner = Reinforce(learning_rate=0.5, trace_decay=0.0, baseline_decay=0.0)
    state = learner.init_state({}, None, 2, 2)
    obs = jnp.array([1.0, -1.0])
    logits, state = learner.step({}, state, obs, jnp.zeros(2), 0.0)  # no action yet: no update
    np.testing.assert_array_equal(logits, [0.0, 0.0])
    logits, state = learner.step({}, state, obs, jnp.array([1.0, 0.0]), 1.0)  # action 0 paid 1
    x = np.array([1.0, -1.0, 1.0])
    w = 0.5 * 1.0 * np.outer(x, np.array([1.0, 0.0]) - 0.5)  # lr * (r - b) * grad log pi, b = 0
    np.testing.assert_allclose(state["w"], w, rtol=1e-6)
    np.testing.assert_allclose(logits, x @ w, rtol=1e-6)


def test_permuting_inputs_and_actions_permutes_the_logits():
    learner = Reinforce(0.3, 0.5, 0.99)
    rng = np.random.default_rng(0)
    obs = rng.normal(size=(20, 6)).astype(np.float32)
    actions = rng.integers(0, 5, 20)
    rewards = rng.normal(size=20).astype(np.float32)
    perm_o, perm_a = rng.permutation(6), rng.permutation(5)
    s1, s2 = learner.init_state({}, None, 6, 5), learner.init_state({}, None, 6, 5)
    prev1 = prev2 = jnp.zeros(5)
    for t in range(20):
        l1, s1 = learner.step({}, s1, obs[t], prev1, rewards[t])
        l2, s2 = learner.step({}, s2, obs[t][perm_o], prev2, rewards[t])
        np.testing.assert_allclose(np.asarray(l2), np.asarray(l1)[perm_a], atol=1e-5)
        prev1 = jax.nn.one_hot(actions[t], 5)
        prev2 = prev1[perm_a]


def test_it_learns_the_ego_grid_world_within_a_lifetime():
    split = make_split("gridworld-ego")
    keys = jax.random.split(jax.random.PRNGKey(3), 128)
    hand = run_lifetimes(Reinforce(0.3, 0.5, 0.99), split, {}, keys, 400)
    rand = run_lifetimes(RandomPolicy(), split, {}, keys, 400)
    gain = np.asarray(hand.fitness - rand.fitness)
    assert gain.mean() > 3.0 and gain.mean() > 4 * gain.std() / np.sqrt(len(gain))  # measured: +6.3
    rise = np.asarray(hand.bin_reward[:, 7:].mean(1) - hand.bin_reward[:, :3].mean(1))
    assert rise.mean() > 0.3  # measured: 0.59 per tenth of the lifetime


def test_blame_profile_the_failing_move_decides_sway_but_not_a_cart_with_inertia(monkeypatch):
    """research/credit.py: in a sway corridor the failing step's move is always the wrong one
    (it stepped onto the punishing end), while with inertia the cart moves by its velocity before
    the action acts, so the failing step's action is a fair coin against the reference."""
    import importlib.util
    import pathlib

    research = pathlib.Path(__file__).parents[1] / "research"
    monkeypatch.syspath_prepend(str(research))  # as when run as a script: its own folder first
    spec = importlib.util.spec_from_file_location("credit", research / "credit.py")
    credit = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(credit)
    sway, failures = credit.blame_profile("gridworld-sway7dn", depth=1, lifetimes=16, length=200)
    assert failures > 100 and sway[0][0] == 1.0
    cart, _ = credit.blame_profile("gridworld-cart9", depth=1, lifetimes=16, length=200)
    p, n = cart[0]
    assert abs(p - 0.5) <= 4 * np.sqrt(0.25 / n)
