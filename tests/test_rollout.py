"""The scanned lifetime rollout against a plain Python loop, and its batching."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from symla.envs.splits import make_split
from symla.learners import MetaRNN, SymLA
from symla.rollout import run_lifetime, run_lifetimes, run_population


def python_loop(learner, split, params, key, length):
    """The same lifetime written as an explicit loop over steps, with the same keys."""
    k_task, k_reset, k_state, k_steps = jax.random.split(key, 4)
    task = split.sample_task(k_task)
    obs, env_state = split.reset(k_reset, task)
    state = learner.init_state(params, k_state, split.obs_size, split.num_actions)
    prev_action, prev_reward = jnp.zeros(split.num_actions), 0.0
    rewards, actions, dones, fitness = [], [], [], 0.0
    for t in range(length):
        k_action, k_env = jax.random.split(jax.random.fold_in(k_steps, t))
        logits, state = learner.step(params, state, obs, prev_action, prev_reward)
        action = jax.random.categorical(k_action, logits)
        obs, env_state, reward, learner_reward, done = split.step(k_env, env_state, action, task)
        prev_action = jax.nn.one_hot(action, split.num_actions)
        prev_reward = learner_reward
        fitness += float(learner_reward)
        rewards.append(float(reward))
        actions.append(int(action))
        dones.append(bool(done))
    return np.array(rewards), np.array(actions), np.array(dones), fitness


def episode_returns(rewards, dones):
    out, acc = [], 0.0
    for r, d in zip(rewards, dones, strict=False):
        acc += r
        if d:
            out.append(acc)
            acc = 0.0
    return out


def test_scan_equals_python_loop_across_episode_boundaries():
    split = make_split("cartpole-permuted")  # short random episodes: many boundaries
    learner = SymLA()
    params = learner.init_params(jax.random.PRNGKey(0))
    key = jax.random.PRNGKey(5)
    L = 60
    result = jax.jit(lambda p, k: run_lifetime(learner, split, p, k, L, num_bins=6, record=True))(params, key)
    rewards, actions, dones, fitness = python_loop(learner, split, params, key, L)
    np.testing.assert_array_equal(np.asarray(result.trace["action"]), actions)
    np.testing.assert_array_equal(np.asarray(result.trace["done"]), dones)
    np.testing.assert_allclose(np.asarray(result.trace["reward"]), rewards)
    assert dones.sum() >= 2
    np.testing.assert_allclose(float(result.fitness), fitness)  # "failure" mode: -1 per fall
    assert float(result.fitness) == -float(dones.sum())
    assert float(result.episodes) == dones.sum()
    returns = episode_returns(rewards, dones)
    np.testing.assert_allclose(float(result.bin_episode_return.sum()), sum(returns))
    np.testing.assert_allclose(np.asarray(result.bin_reward), rewards.reshape(6, 10).sum(1))


def test_metarnn_rollout_matches_loop_on_padded_bandit():
    split = make_split("bandit-2arm-biased")
    learner = MetaRNN(obs_size=3, num_actions=5, hidden_size=16)
    params = learner.init_params(jax.random.PRNGKey(1))
    key = jax.random.PRNGKey(2)
    result = run_lifetime(learner, split, params, key, 30, record=True)
    rewards, actions, _, fitness = python_loop(learner, split, params, key, 30)
    np.testing.assert_array_equal(np.asarray(result.trace["action"]), actions)
    assert actions.max() < 2  # padded actions are never taken
    np.testing.assert_allclose(float(result.fitness), fitness)


def test_population_and_lifetime_batching():
    split = make_split("bandit-5arm")
    learner = SymLA()
    keys = jax.random.split(jax.random.PRNGKey(0), 3)
    population = jax.vmap(learner.init_params)(keys)
    lifetime_keys = jax.random.split(jax.random.PRNGKey(1), (3, 4))
    res = jax.jit(lambda p, k: run_population(learner, split, p, k, 20, num_bins=4))(population, lifetime_keys)
    assert res.fitness.shape == (3, 4) and res.bin_reward.shape == (3, 4, 4)
    single = run_lifetimes(learner, split, jax.tree.map(lambda x: x[1], population), lifetime_keys[1], 20, 4)
    np.testing.assert_allclose(np.asarray(res.fitness[1]), np.asarray(single.fitness))
    assert res.trace is None  # nothing per step unless asked for


def test_member_chunks_give_the_unchunked_population_result():
    split = make_split("bandit-5arm")
    learner = SymLA()
    population = jax.vmap(learner.init_params)(jax.random.split(jax.random.PRNGKey(0), 6))
    keys = jax.random.split(jax.random.PRNGKey(1), (6, 2))
    whole = run_population(learner, split, population, keys, 15, num_bins=3)
    for chunk in (1, 2, 3):
        parts = run_population(learner, split, population, keys, 15, num_bins=3, member_chunk=chunk)
        np.testing.assert_array_equal(np.asarray(parts.fitness), np.asarray(whole.fitness))
        np.testing.assert_array_equal(np.asarray(parts.bin_reward), np.asarray(whole.bin_reward))
    with pytest.raises(ValueError, match="not a multiple of chunk 4"):
        run_population(learner, split, population, keys, 15, member_chunk=4)


def test_cpu_cache_chunk_caps_the_carried_state_per_chunk():
    """On CPU the ES evaluates members in chunks whose carried state fits CPU_WORKING_SET_MB;
    small networks are not chunked at all."""
    from symla.config import ESSettings
    from symla.memory import CPU_WORKING_SET_MB, agent_bytes, member_chunk

    learner, small, big = SymLA(), make_split("bandit-2arm-biased"), make_split("gridworld-small")
    es = ESSettings(pairs=1024, generations=1, lifetimes_per_member=8, noise_std=0.1, learning_rate=0.01,
                    fitness_shaping="centered_rank", checkpoint_every=1)
    assert member_chunk(learner, small, es, cpu_cache=True) is None
    assert member_chunk(learner, big, es) is None  # no memory cap stated, no cache cap asked for
    chunk = member_chunk(learner, big, es, cpu_cache=True)
    assert 2048 % chunk == 0
    assert chunk * 8 * agent_bytes(learner, big) <= CPU_WORKING_SET_MB * 2**20
    assert 2 * chunk * 8 * agent_bytes(learner, big) > CPU_WORKING_SET_MB * 2**20  # the largest that fits


@pytest.mark.parametrize("split_name", ["bandit-2arm", "bandit-5arm-permuted", "cartpole", "acrobot", "mountaincar",
                                        "gridworld-tiny", "gridworld-ego", "gridworld-dense-swapped"])
def test_memory_model_counts_exactly_the_carried_state(split_name):
    """symla.memory sizes jobs without JAX (the workflow parses without it); its count of an
    agent's carried bytes must equal what the rollout really carries, as jax.eval_shape sees it."""
    from symla.config import Experiment, learner_shape
    from symla.envs.catalog import parse_split
    from symla.learners import MetaRNN
    from symla.memory import agent_bytes

    split = make_split(split_name)
    for learner in (SymLA(), SymLA(hidden=(32,), message_norm=True),
                    MetaRNN(obs_size=split.obs_size, num_actions=split.num_actions)):
        params = learner.init_params(jax.random.PRNGKey(0))
        state = jax.eval_shape(
            lambda p, k, learner=learner: learner.init_state(p, k, split.obs_size, split.num_actions),
            params, jax.random.PRNGKey(0))
        task = jax.eval_shape(split.sample_task, jax.random.PRNGKey(0))
        env = jax.eval_shape(split.reset, jax.random.PRNGKey(0), task)
        carried = sum(int(np.prod(x.shape)) * x.dtype.itemsize for x in jax.tree.leaves((state, env)))
        assert agent_bytes(learner, split) == carried
        assert agent_bytes(learner, parse_split(split_name)) == carried  # the parse-time path
    exp = Experiment("e", "smoke", 10, train_split=split_name, learners=("symla",),
                     networks={"symla": {"hidden": [32]}})
    shape = learner_shape(exp, "symla")  # what the workflow sizes jobs with: the settings, no JAX
    assert agent_bytes(shape, parse_split(split_name)) == agent_bytes(SymLA(hidden=(32,)), split)
