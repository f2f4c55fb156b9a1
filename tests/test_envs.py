"""Bandits, gymnax splits and the split registry against known values."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from symla.envs.bandit import BernoulliBandit, sample_arm_probs
from symla.envs.splits import UnknownSplitError, make_split


def test_bandit_empirical_arm_means_match():
    env = BernoulliBandit(4)
    params = env.default_params.replace(arm_probs=jnp.array([0.1, 0.35, 0.6, 0.95]))
    n = 20000
    _, state = env.reset(jax.random.PRNGKey(0), params)
    for arm, p in enumerate([0.1, 0.35, 0.6, 0.95]):
        keys = jax.random.split(jax.random.PRNGKey(arm), n)
        rewards = jax.vmap(lambda k, arm=arm: env.step(k, state, arm, params)[2])(keys)
        se = np.sqrt(p * (1 - p) / n)
        assert abs(float(rewards.mean()) - p) < 4 * se  # 4 standard errors


def test_best_arm_policy_collects_expected_reward_and_bias_holds():
    """E[max of 2 uniforms] = 2/3; P(arm 0 best) = bias + (1 - bias) / K = 0.9 for K = 2."""
    split = make_split("bandit-2arm-biased")
    n, L = 4000, 50
    tasks = jax.vmap(split.sample_task)(jax.random.split(jax.random.PRNGKey(0), n))
    probs = tasks.env_params.arm_probs
    assert abs(float((probs.argmax(1) == 0).mean()) - 0.9) < 4 * np.sqrt(0.09 / n)

    def lifetime_of_best_arm(task, key):
        obs, state = split.reset(key, task)
        best = jnp.argmax(task.env_params.arm_probs)

        def body(state, k):
            _, state, reward, _, _ = split.step(k, state, best, task)
            return state, reward

        return jax.lax.scan(body, state, jax.random.split(key, L))[1].sum()

    totals = jax.vmap(lifetime_of_best_arm)(tasks, jax.random.split(jax.random.PRNGKey(1), n))
    assert abs(float(totals.mean()) / L - 2 / 3) < 0.01


def test_unbiased_distribution_has_no_favourite_arm():
    probs = jax.vmap(lambda k: sample_arm_probs(k, 5, 0.0))(jax.random.split(jax.random.PRNGKey(0), 10000))
    counts = np.bincount(np.asarray(probs.argmax(1)), minlength=5) / 10000
    assert np.all(np.abs(counts - 0.2) < 0.02)


def test_permuted_split_permutes_observations_and_actions_consistently():
    plain, permuted = make_split("cartpole"), make_split("cartpole-permuted")
    key = jax.random.PRNGKey(3)
    task = permuted.sample_task(key)
    assert sorted(np.asarray(task.obs_perm).tolist()) == [0, 1, 2, 3]
    base_task = plain.sample_task(key)
    np.testing.assert_array_equal(base_task.obs_perm, np.arange(4))
    obs_p, _ = permuted.reset(key, task)
    obs, state = plain.reset(key, base_task)
    np.testing.assert_allclose(obs_p, obs[task.obs_perm])
    np.testing.assert_allclose(obs * jnp.array([2.4, 3.0, 0.21, 3.0]), state_to_obs(state), rtol=1e-6)
    # learner action i acts as environment action action_perm[i]
    for a in range(2):
        o1, *_ = permuted.step(key, state, a, task)
        o2, *_ = plain.step(key, state, int(task.action_perm[a]), base_task)
        np.testing.assert_allclose(o1, o2[task.obs_perm])


def state_to_obs(state):
    return jnp.array([state.x, state.x_dot, state.theta, state.theta_dot])


def test_failure_reward_mode_pays_minus_one_only_on_termination():
    split = make_split("cartpole")
    task = split.sample_task(jax.random.PRNGKey(0))
    obs, state = split.reset(jax.random.PRNGKey(0), task)
    state = state.replace(theta=jnp.float32(0.205), theta_dot=jnp.float32(1.0))  # falls this step
    _, _, reward, learner_reward, done = split.step(jax.random.PRNGKey(1), state, 1, task)
    assert bool(done) and float(learner_reward) == -1.0 and float(reward) == 1.0
    _, state = split.reset(jax.random.PRNGKey(0), task)
    _, _, _, learner_reward, done = split.step(jax.random.PRNGKey(1), state, 1, task)
    assert not bool(done) and float(learner_reward) == 0.0


def test_any_discrete_gymnax_env_by_id_with_flattened_observations():
    split = make_split("gymnax:Catch-bsuite")
    assert split.obs_size == 50 and split.num_actions == 3
    obs, _ = split.reset(jax.random.PRNGKey(0), split.sample_task(jax.random.PRNGKey(0)))
    assert obs.shape == (50,)


@pytest.mark.parametrize("name,message", [
    ("bandit-two-arms", "unknown environment split 'bandit-two-arms'; known splits: bandit-2arm"),
    ("gymnax:NoSuchEnv-v0", "unknown gymnax environment 'NoSuchEnv-v0'"),
    ("gymnax:Pendulum-v1", "only discrete action spaces are supported"),
])
def test_unknown_or_unsupported_split_is_a_one_line_error(name, message):
    with pytest.raises(UnknownSplitError, match=message) as err:
        make_split(name)
    assert "\n" not in str(err.value)
