"""Lifetime rollouts: a learner acting in one task for L steps across episode boundaries.

The learner's state carries over episode ends and is fresh only at the start of a lifetime, so
learning must happen inside the lifetime. ``run_lifetime`` is pure and jit-able; vmap it over
lifetimes and over a population of meta-parameters (``run_population``).

Memory does not grow with L: by default only fixed-size summaries (totals and per-bin sums over
``num_bins`` equal parts of the lifetime) are kept; per-step traces only when ``record=True``.
"""

import jax
import jax.numpy as jnp
import numpy as np
from flax import struct


@struct.dataclass
class LifetimeResult:
    """Fitness is the sum of the rewards the learner received (its meta-objective)."""

    fitness: jax.Array  # sum of learner rewards over the lifetime
    env_return: jax.Array  # sum of environment rewards over the lifetime
    episodes: jax.Array  # number of episodes that ended within the lifetime
    bin_reward: jax.Array  # [num_bins] environment reward per part of the lifetime
    bin_episodes: jax.Array  # [num_bins] episodes that ended in each part
    bin_episode_return: jax.Array  # [num_bins] summed returns of the episodes that ended there
    trace: dict | None = None  # per-step arrays, only with record=True


def lifetime_keys(seed: int, count: int):
    """Keys of ``count`` lifetimes from one seed: lifetime i of every split, learner and baseline
    uses key i, so their results pair up (the meta-test's common random numbers)."""
    return jax.random.split(jax.random.PRNGKey(seed), count)


def _key_parts(key):
    """A lifetime key's four independent parts: task, reset, learner state, steps."""
    return jax.random.split(key, 4)


def lifetime_task(split, key):
    """The task a lifetime with ``key`` faces (what run_lifetime samples first)."""
    return split.sample_task(_key_parts(key)[0])


def run_lifetime(learner, split, params, key, length: int, num_bins: int = 10,
                 record: bool = False) -> LifetimeResult:
    """Run one lifetime of ``length`` steps; everything random derives from ``key``."""
    num_bins = max(1, min(num_bins, length))
    k_task, k_reset, k_state, k_steps = _key_parts(key)
    task = split.sample_task(k_task)
    obs, env_state = split.reset(k_reset, task)
    learner_state = learner.init_state(params, k_state, split.obs_size, split.num_actions)
    zero = jnp.zeros((), jnp.float32)
    bins = jnp.zeros((num_bins,), jnp.float32)
    carry = {
        "obs": obs, "env_state": env_state, "learner_state": learner_state,
        "prev_action": jnp.zeros((split.num_actions,), jnp.float32),  # no action yet: all zeros
        "prev_reward": zero, "episode_return": zero,
        "fitness": zero, "bin_reward": bins, "bin_episodes": bins, "bin_episode_return": bins,
    }

    def step(carry, t):
        k_action, k_env = jax.random.split(jax.random.fold_in(k_steps, t))
        logits, learner_state = learner.step(
            params, carry["learner_state"], carry["obs"], carry["prev_action"], carry["prev_reward"])
        action = jax.random.categorical(k_action, logits)
        obs, env_state, reward, learner_reward, done = split.step(
            k_env, carry["env_state"], action, task)
        episode_return = carry["episode_return"] + reward
        b = t * num_bins // length
        done_f = done.astype(jnp.float32)
        new = {
            "obs": obs, "env_state": env_state, "learner_state": learner_state,
            "prev_action": jax.nn.one_hot(action, split.num_actions, dtype=jnp.float32),
            "prev_reward": learner_reward,
            "episode_return": jnp.where(done, 0.0, episode_return),
            "fitness": carry["fitness"] + learner_reward,
            "bin_reward": carry["bin_reward"].at[b].add(reward),
            "bin_episodes": carry["bin_episodes"].at[b].add(done_f),
            "bin_episode_return": carry["bin_episode_return"].at[b].add(done_f * episode_return),
        }
        out = None
        if record:
            out = {"action": action, "logits": logits, "reward": reward,
                   "learner_reward": learner_reward, "done": done}
        return new, out

    final, trace = jax.lax.scan(step, carry, jnp.arange(length))
    return LifetimeResult(
        fitness=final["fitness"],
        env_return=final["bin_reward"].sum(),
        episodes=final["bin_episodes"].sum(),
        bin_reward=final["bin_reward"],
        bin_episodes=final["bin_episodes"],
        bin_episode_return=final["bin_episode_return"],
        trace=trace,
    )


def run_lifetimes(learner, split, params, keys, length: int, num_bins: int = 10,
                  record: bool = False) -> LifetimeResult:
    """Many lifetimes of one set of meta-parameters: vmapped over ``keys``."""
    return jax.vmap(lambda k: run_lifetime(learner, split, params, k, length, num_bins, record))(keys)


def run_chunked(learner, split, params, keys, length, num_bins, chunk, on_chunk=None):
    """run_lifetimes over ``keys`` in chunks of ``chunk`` (one compiled function for all chunks);
    ``on_chunk()`` is called after each chunk (progress)."""
    fn = jax.jit(lambda p, k: run_lifetimes(learner, split, p, k, length, num_bins))
    parts = []
    for i in range(0, len(keys), chunk):
        part = keys[i:i + chunk]
        pad = chunk - len(part)
        if pad:  # keep one shape so the chunk function compiles once
            part = np.concatenate([part, np.repeat(part[-1:], pad, axis=0)])
        res = jax.device_get(fn(params, part))
        parts.append(jax.tree.map(lambda x, keep=chunk - pad: x[:keep], res))
        if on_chunk is not None:
            on_chunk()
    return jax.tree.map(lambda *xs: np.concatenate(xs), *parts)


def map_in_chunks(fn, xs, chunk: int | None):
    """vmap(fn) over the leading axis of the pytree ``xs``, ``chunk`` items at a time (lax.map
    over chunks). Bounds memory, and on CPU keeps each chunk's carried state in cache
    (symla.memory.cpu_cache_agents): cost per item then stays flat as the batch grows."""
    size = jax.tree.leaves(xs)[0].shape[0]
    if not chunk or chunk >= size:
        return jax.vmap(fn)(xs)
    if size % chunk:
        raise ValueError(f"batch {size} is not a multiple of chunk {chunk}")
    chunks = jax.tree.map(lambda x: x.reshape(size // chunk, chunk, *x.shape[1:]), xs)
    out = jax.lax.map(jax.vmap(fn), chunks)
    return jax.tree.map(lambda x: x.reshape(size, *x.shape[2:]), out)


def run_population(learner, split, population, keys, length: int, num_bins: int = 10,
                   member_chunk: int | None = None) -> LifetimeResult:
    """[P] meta-parameters x [P, B] keys -> results of shape [P, B]; ``member_chunk`` members
    at a time if set (None: all at once)."""
    return map_in_chunks(lambda pk: run_lifetimes(learner, split, pk[0], pk[1], length, num_bins),
                         (population, keys), member_chunk)
