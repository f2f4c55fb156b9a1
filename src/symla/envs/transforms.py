"""Transforms that turn a training environment into a held-out split.

Each is a pure function of a lifetime's key or of env params, so a split stays a distribution
over tasks that vmaps like any other. Permutations are drawn once per lifetime and fixed for it.
"""

import jax
import jax.numpy as jnp


def pad_last(x, size: int):
    """Zero-pad the last axis of ``x`` to ``size`` (how fixed-size learners see smaller envs)."""
    extra = size - x.shape[-1]
    if extra < 0:
        raise ValueError(f"cannot pad an axis of size {x.shape[-1]} down to {size}")
    if extra == 0:
        return x
    return jnp.pad(x, [(0, 0)] * (x.ndim - 1) + [(0, extra)])


def draw_permutation(key, size: int, enabled: bool):
    """A permutation of range(size) drawn from ``key``, or the identity when not ``enabled``."""
    if not enabled:
        return jnp.arange(size)
    return jax.random.permutation(key, size)


def permute_observation(obs, obs_perm):
    """The learner sees observation dimension obs_perm[i] at position i."""
    return obs[obs_perm]


def permute_action(action, action_perm):
    """The learner's action i acts as environment action action_perm[i]."""
    return action_perm[action]

