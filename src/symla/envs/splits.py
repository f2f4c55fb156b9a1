"""Named environment splits: a task distribution plus the transforms that make it held-out.

params.yaml names splits; ``make_split(name)`` builds them. Names (K = number of arms):

    bandit-{K}arm[-biased][-permuted]   Bernoulli bandits; biased: arm 0 tends to be best (0.8)
    cartpole | acrobot | mountaincar[-permuted]  gymnax classic control; permuted: obs and actions
    gridworld-{layout}[-swapped][-permuted]      LPG grid worlds; swapped: object rewards swapped
    gymnax:{EnvId}                      any gymnax env with discrete actions (obs flattened)

Every split goes through the same code path: an unpermuted split simply uses the identity
permutation, so there is no second implementation of "the same environment" to drift apart.
"""

import dataclasses
import functools
import re
from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np
from flax import struct

from symla.envs import transforms
from symla.errors import ConfigValueError
from symla.envs.bandit import BernoulliBandit, sample_arm_probs

BANDIT_BIAS = 0.8
REWARD_MODES = ("env", "failure")

# Fixed observation scales: dividing by them beat raw observations in the CartPole prototype.
CLASSIC_CONTROL = {
    "cartpole": ("CartPole-v1", (2.4, 3.0, 0.21, 3.0), "failure"),
    "acrobot": ("Acrobot-v1", (1.0, 1.0, 1.0, 1.0, 12.6, 28.3), "env"),
    "mountaincar": ("MountainCar-v0", (1.2, 0.07), "env"),
}


class UnknownSplitError(ConfigValueError):
    """An unknown or unsupported split name."""


@struct.dataclass
class Task:
    """One lifetime's task: environment params and the fixed permutations of this lifetime."""

    env_params: Any
    obs_perm: jax.Array
    action_perm: jax.Array


@dataclasses.dataclass(frozen=True, eq=False)
class Split:
    """A distribution over tasks of one environment, seen through held-out transforms.

    reward_mode: what the learner receives as reward and what its fitness sums: "env" is the
    environment's reward; "failure" is -1 when an episode terminates (not truncates), else 0,
    for environments such as CartPole whose +1 per step carries no information.
    """

    name: str
    env: Any
    obs_size: int
    num_actions: int
    sample_env_params: Callable
    permute_obs: bool = False
    permute_actions: bool = False
    reward_mode: str = "env"
    obs_scale: tuple | None = None

    def sample_task(self, key) -> Task:
        k_params, k_obs, k_act = jax.random.split(key, 3)
        return Task(
            env_params=self.sample_env_params(k_params),
            obs_perm=transforms.draw_permutation(k_obs, self.obs_size, self.permute_obs),
            action_perm=transforms.draw_permutation(k_act, self.num_actions, self.permute_actions),
        )

    def _observe(self, obs, task):
        obs = jnp.asarray(obs, jnp.float32).reshape(-1)
        if self.obs_scale is not None:
            obs = obs / jnp.asarray(self.obs_scale, jnp.float32)
        return transforms.permute_observation(obs, task.obs_perm)

    def reset(self, key, task):
        obs, env_state = self.env.reset(key, task.env_params)
        return self._observe(obs, task), env_state

    def step(self, key, env_state, action, task):
        """Step with the learner's action; returns obs, state, env reward, learner reward, done."""
        env_action = transforms.permute_action(action, task.action_perm)
        obs, env_state, reward, terminated, truncated, _ = self.env.step(
            key, env_state, env_action, task.env_params)
        reward = jnp.asarray(reward, jnp.float32)
        if self.reward_mode == "failure":
            learner_reward = -jnp.asarray(terminated, jnp.float32)
        else:
            learner_reward = reward
        done = jnp.logical_or(terminated, truncated)
        return self._observe(obs, task), env_state, reward, learner_reward, done


def _bandit(name, num_arms, biased, permuted):
    env = BernoulliBandit(num_arms)
    bias = BANDIT_BIAS if biased else 0.0
    defaults = env.default_params

    def sample(key):
        return defaults.replace(arm_probs=sample_arm_probs(key, num_arms, bias))

    return Split(name, env, 1, num_arms, sample, permute_actions=permuted)


def _gymnax(name, env_id, obs_scale=None, reward_mode="env", permuted=False):
    import gymnax
    from gymnax.environments import spaces

    try:
        env, env_params = gymnax.make(env_id)
    except Exception as err:  # gymnax raises a bare ValueError/KeyError for unknown ids
        raise UnknownSplitError(f"unknown gymnax environment {env_id!r}: {err}") from None
    space = env.action_space(env_params)
    if not isinstance(space, spaces.Discrete):
        raise UnknownSplitError(
            f"gymnax environment {env_id!r} has a {type(space).__name__} action space; "
            "only discrete action spaces are supported")
    obs_size = int(np.prod(env.observation_space(env_params).shape))
    return Split(name, env, obs_size, int(space.n), lambda key: env_params, permuted, permuted,
                 reward_mode, obs_scale)


def _gridworld(name, layout_name, swapped, permuted):
    from symla.envs.gridworld import LAYOUTS, GridWorld, swap_type_rewards

    if layout_name not in LAYOUTS:
        raise UnknownSplitError(
            f"unknown grid-world layout {layout_name!r} in split {name!r}; "
            f"known layouts: {', '.join(sorted(n.replace('_', '-') for n in LAYOUTS))}")
    env = GridWorld(LAYOUTS[layout_name])
    params = env.default_params
    if swapped:
        params = swap_type_rewards(params, 0, 1)
    return Split(name, env, env.obs_size, env.num_actions, lambda key: params, permuted, permuted)


def known_split_names():
    """Example names of every family (bandit arm counts and gymnax ids are open-ended)."""
    from symla.envs.gridworld import LAYOUTS

    names = [f"bandit-{k}arm{b}{p}" for k in (2, 5, 10) for b in ("", "-biased")
             for p in ("", "-permuted")]
    names += [f"{c}{p}" for c in CLASSIC_CONTROL for p in ("", "-permuted")]
    names += [f"gridworld-{n.replace('_', '-')}{s}{p}" for n in LAYOUTS
              for s in ("", "-swapped") for p in ("", "-permuted")]
    return names + ["gymnax:<EnvId>"]


@functools.lru_cache(maxsize=None)
def make_split(name: str) -> Split:
    """Build a split by name (cached, so jit sees one object per name)."""
    if m := re.fullmatch(r"bandit-(\d+)arm(-biased)?(-permuted)?", name):
        if int(m[1]) < 2:
            raise UnknownSplitError(f"split {name!r}: a bandit needs at least 2 arms (e.g. bandit-2arm)")
        return _bandit(name, int(m[1]), bool(m[2]), bool(m[3]))
    if m := re.fullmatch(r"(cartpole|acrobot|mountaincar)(-permuted)?", name):
        env_id, scale, mode = CLASSIC_CONTROL[m[1]]
        return _gymnax(name, env_id, scale, mode, bool(m[2]))
    if m := re.fullmatch(r"gridworld-([a-z0-9-]+?)(-swapped)?(-permuted)?", name):
        return _gridworld(name, m[1].replace("-", "_"), bool(m[2]), bool(m[3]))
    if name.startswith("gymnax:"):
        return _gymnax(name, name.split(":", 1)[1])
    raise UnknownSplitError(
        f"unknown environment split {name!r}; known splits: {', '.join(known_split_names())}")
