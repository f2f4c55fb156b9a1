"""Named environment splits: a task distribution plus the transforms that make it held-out.

params.yaml names splits (symla.envs.catalog says what a name means, without JAX);
``make_split(name)`` builds them.

Every split goes through the same code path: an unpermuted split simply uses the identity
permutation, so there is no second implementation of "the same environment" to drift apart.
"""

import dataclasses
import functools
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import struct

from symla.envs import transforms
from symla.envs.bandit import BernoulliBandit, sample_arm_probs
from symla.envs.catalog import CLASSIC_CONTROL, UnknownSplitError, parse_split  # noqa: F401 (re-exported)

BANDIT_BIAS = 0.8


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

    @property
    def twin(self) -> str:
        """The unpermuted split with the same tasks: what a policy that knows the permutation
        would face (a permuted split draws the same task as its twin for the same key)."""
        return parse_split(self.name).twin

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


def _bandit(spec):
    env = BernoulliBandit(spec.arms)
    bias = BANDIT_BIAS if spec.biased else 0.0
    defaults = env.default_params

    def sample(key):
        return defaults.replace(arm_probs=sample_arm_probs(key, spec.arms, bias))

    return Split(spec.name, env, 1, spec.arms, sample, permute_actions=spec.permuted)


def _gymnax(spec, obs_scale=None, reward_mode="env"):
    import gymnax
    from gymnax.environments import spaces

    try:
        env, env_params = gymnax.make(spec.env_id)
    except Exception as err:  # gymnax raises a bare ValueError/KeyError for unknown ids
        raise UnknownSplitError(f"unknown gymnax environment {spec.env_id!r}: {err}") from None
    space = env.action_space(env_params)
    if not isinstance(space, spaces.Discrete):
        raise UnknownSplitError(
            f"gymnax environment {spec.env_id!r} has a {type(space).__name__} action space; "
            "only discrete action spaces are supported")
    obs_size = int(np.prod(env.observation_space(env_params).shape))
    return Split(spec.name, env, obs_size, int(space.n), lambda key: env_params, spec.permuted, spec.permuted,
                 reward_mode, obs_scale)


def _gridworld(spec):
    from symla.envs.gridworld import LAYOUTS, GridWorld, swap_type_rewards

    env = GridWorld(LAYOUTS[spec.layout])
    params = env.default_params
    if spec.swapped:
        params = swap_type_rewards(params, 0, 1)
    if spec.swapped23:  # a validation transform: another reward change than the held-out swap
        if env.num_types < 4:
            raise UnknownSplitError(f"split {spec.name!r}: -swapped23 needs a layout with 4 object types")
        params = swap_type_rewards(params, 2, 3)
    if spec.negated:  # a validation transform: every learned preference is wrong
        params = params.replace(type_rewards=-params.type_rewards)

    def sample(key):  # with homes, which object sits where is the lifetime's task
        return params.replace(home_swap=jax.random.bernoulli(key)) if env.layout.homes else params

    return Split(spec.name, env, env.obs_size, env.num_actions, sample, spec.permuted, spec.permuted)


@functools.cache
def make_split(name: str) -> Split:
    """Build a split by name (cached, so jit sees one object per name)."""
    spec = parse_split(name)
    if spec.family == "bandit":
        return _bandit(spec)
    if spec.family == "control":
        _, _, _, scale, mode, _ = CLASSIC_CONTROL[spec.twin]
        return _gymnax(spec, scale, mode)
    if spec.family == "gridworld":
        return _gridworld(spec)
    return _gymnax(spec)
