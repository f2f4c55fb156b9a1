"""SymLA's symmetries as exact facts (float64), and proof that the same checks fail for MetaRNN."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from symla.learners import MetaRNN, SymLA, make_learner

T = 25  # steps per test rollout


def drive(learner, params, state, obs_seq, act_seq, rew_seq):
    """Run the learner on a fixed input sequence; returns the logits of every step."""
    logits_all = []
    for obs, act, rew in zip(obs_seq, act_seq, rew_seq, strict=False):
        logits, state = learner.step(params, state, obs, act, rew)
        logits_all.append(logits)
    return jnp.stack(logits_all)


def inputs(key, obs_size, num_actions):
    k1, k2, k3 = jax.random.split(key, 3)
    obs = jax.random.normal(k1, (T, obs_size))
    acts = jax.nn.one_hot(jax.random.randint(k2, (T,), 0, num_actions), num_actions)
    acts = acts.at[0].set(0.0)  # no action before the first step
    rews = jax.random.normal(k3, (T,))
    return obs, acts, rews


def scaled_params(learner, key, scale=3.0):
    """Larger-than-init weights so the cells' dynamics are far from linear."""
    return jax.tree.map(lambda x: x * scale + 0.1, learner.init_params(key))


def permute_layer(layer, perm, axis):
    """Permute a layer's state along its input (axis 0) or output (axis 1) units."""
    new = dict(layer)
    new["h"] = jnp.take(layer["h"], perm, axis=axis)
    new["c"] = jnp.take(layer["c"], perm, axis=axis)
    if axis == 0:
        new["bwd"] = layer["bwd"][perm]
    else:
        new["fwd"] = layer["fwd"][perm]
    return new


@pytest.mark.parametrize("learner", [SymLA(), SymLA(hidden=(6,), message_norm=True), SymLA(hidden=(5, 3))])
def test_symla_observation_permutation_leaves_logits_unchanged(learner):
    with jax.enable_x64(True):
        D, K = 7, 3
        params = scaled_params(learner, jax.random.PRNGKey(0))
        state = learner.init_state(params, jax.random.PRNGKey(1), D, K)
        obs, acts, rews = inputs(jax.random.PRNGKey(2), D, K)
        perm = jax.random.permutation(jax.random.PRNGKey(3), D)
        base = drive(learner, params, state, obs, acts, rews)
        state_p = [permute_layer(state[0], perm, 0)] + state[1:]
        permuted = drive(learner, params, state_p, obs[:, perm], acts, rews)
        assert base.dtype == jnp.float64
        assert float(jnp.abs(base).max()) > 1e-3  # logits are not trivially zero
        np.testing.assert_allclose(permuted, base, rtol=0, atol=1e-10)


@pytest.mark.parametrize("learner", [SymLA(), SymLA(hidden=(6,), message_norm=True)])
def test_symla_action_permutation_permutes_logits(learner):
    with jax.enable_x64(True):
        D, K = 4, 5
        params = scaled_params(learner, jax.random.PRNGKey(0))
        state = learner.init_state(params, jax.random.PRNGKey(1), D, K)
        obs, acts, rews = inputs(jax.random.PRNGKey(2), D, K)
        perm = jax.random.permutation(jax.random.PRNGKey(3), K)
        base = drive(learner, params, state, obs, acts, rews)
        state_p = state[:-1] + [permute_layer(state[-1], perm, 1)]
        permuted = drive(learner, params, state_p, obs, acts[:, perm], rews)
        np.testing.assert_allclose(permuted, base[:, perm], rtol=0, atol=1e-10)
        assert not np.allclose(permuted, base, atol=1e-3)  # the permutation really moved logits


def test_hidden_units_are_interchangeable():
    """Permuting a hidden layer's units (both adjacent state axes) changes nothing."""
    with jax.enable_x64(True):
        learner = SymLA(hidden=(6,))
        params = scaled_params(learner, jax.random.PRNGKey(0))
        state = learner.init_state(params, jax.random.PRNGKey(1), 3, 2)
        obs, acts, rews = inputs(jax.random.PRNGKey(2), 3, 2)
        perm = jax.random.permutation(jax.random.PRNGKey(3), 6)
        base = drive(learner, params, state, obs, acts, rews)
        state_p = [permute_layer(state[0], perm, 1), permute_layer(state[1], perm, 0)]
        np.testing.assert_allclose(drive(learner, params, state_p, obs, acts, rews), base, rtol=0, atol=1e-10)


def test_the_same_check_fails_for_metarnn():
    """Proof that the permutation check can fail: a black box is not permutation invariant."""
    with jax.enable_x64(True):
        D, K = 7, 3
        learner = MetaRNN(obs_size=D, num_actions=K, hidden_size=32)
        params = scaled_params(learner, jax.random.PRNGKey(0), scale=1.0)
        state = learner.init_state(params, jax.random.PRNGKey(1), D, K)
        obs, acts, rews = inputs(jax.random.PRNGKey(2), D, K)
        perm = jax.random.permutation(jax.random.PRNGKey(3), D)
        base = drive(learner, params, state, obs, acts, rews)
        permuted = drive(learner, params, state, obs[:, perm], acts, rews)
        assert np.abs(np.asarray(permuted - base)).max() > 1e-3
        aperm = jnp.array([2, 0, 1])
        permuted_actions = drive(learner, params, state, obs, acts[:, aperm], rews)
        assert np.abs(np.asarray(permuted_actions - base[:, aperm])).max() > 1e-3


@pytest.mark.parametrize("obs_size,num_actions", [(1, 2), (4, 2), (75, 5), (147, 9)])
def test_one_set_of_meta_parameters_runs_on_any_size(obs_size, num_actions):
    learner = SymLA()
    params = learner.init_params(jax.random.PRNGKey(0))  # independent of sizes
    state = learner.init_state(params, jax.random.PRNGKey(1), obs_size, num_actions)
    step = jax.jit(learner.step)
    logits, state = step(params, state, jnp.ones(obs_size), jnp.zeros(num_actions), 0.0)
    logits, state = step(params, state, jnp.ones(obs_size), jax.nn.one_hot(1, num_actions), 1.0)
    assert logits.shape == (num_actions,)
    assert bool(jnp.isfinite(logits).all())
    assert state[0]["h"].shape == (obs_size, num_actions, learner.cell_size)


def test_initial_state_draws_every_cell_independently():
    learner = SymLA()
    params = learner.init_params(jax.random.PRNGKey(0))
    layer = learner.init_state(params, jax.random.PRNGKey(1), 64, 32)[0]
    H = learner.cell_size
    assert float(jnp.abs(layer["h"]).max()) == 0.0
    assert float(jnp.abs(layer["c"][..., H // 2:]).max()) == 0.0
    first = layer["c"][..., : H // 2]
    assert len(np.unique(np.asarray(first).round(7))) > 0.99 * first.size  # no shared draws
    # truncated N(0, 1) at +-2 has std 0.880; scaled by 1/sqrt(n_in)
    np.testing.assert_allclose(float(first.std()), 0.880 / np.sqrt(64), rtol=0.05)
    again = learner.init_state(params, jax.random.PRNGKey(2), 64, 32)[0]
    assert not np.allclose(again["c"], layer["c"])  # fresh for every lifetime


def test_metarnn_pads_smaller_and_rejects_larger_environments():
    learner = MetaRNN(obs_size=5, num_actions=4)
    params = learner.init_params(jax.random.PRNGKey(0))
    state = learner.init_state(params, jax.random.PRNGKey(1), 2, 3)
    logits, _ = learner.step(params, state, jnp.ones(2), jnp.zeros(3), 0.0)
    assert logits.shape == (3,)
    with pytest.raises(ValueError, match="cannot run there"):
        learner.init_state(params, jax.random.PRNGKey(1), 6, 3)


def test_unknown_learner_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown learner 'lstm'; known learners: metarnn, symla"):
        make_learner("lstm")
