"""Bernoulli multi-armed bandits in the gymnax functional style.

The observation is constant (a single 1.0), so everything the agent learns about the arms must
come through rewards within its lifetime. A task is a vector of arm probabilities; the task
distribution (``sample_arm_probs``) can be biased so that a fixed arm tends to be the best, which
a black-box learner can memorise and a permutation-invariant one cannot.
"""

from typing import Any

import jax
import jax.numpy as jnp
from flax import struct
from gymnax.environments import environment, spaces


@struct.dataclass
class EnvState(environment.EnvState):
    pass


@struct.dataclass
class EnvParams(environment.EnvParams):
    arm_probs: jax.Array | None = None
    max_steps_in_episode: int = 100


class BernoulliBandit(environment.Environment[EnvState, EnvParams]):
    """A K-armed Bernoulli bandit; an episode is ``max_steps_in_episode`` pulls, never terminal."""

    def __init__(self, num_arms: int):
        super().__init__()
        if num_arms < 2:
            raise ValueError(f"a bandit needs at least 2 arms, got {num_arms}")
        self.num_arms = int(num_arms)
        self.obs_shape = (1,)

    @property
    def default_params(self) -> EnvParams:
        return EnvParams(arm_probs=jnp.linspace(0.25, 0.75, self.num_arms))

    def step_env(self, key, state, action, params) -> tuple[jax.Array, EnvState, jax.Array, jax.Array, dict[Any, Any]]:
        reward = jax.random.bernoulli(key, params.arm_probs[action]).astype(jnp.float32)
        state = EnvState(time=state.time + 1)
        return self.get_obs(state), state, reward, jnp.array(False), {}

    def reset_env(self, key, params):
        state = EnvState(time=0)
        return self.get_obs(state), state

    def get_obs(self, state, params=None, key=None):
        return jnp.ones((1,), jnp.float32)

    def is_terminated(self, state, params):
        return jnp.array(False)

    @property
    def name(self) -> str:
        return f"BernoulliBandit-{self.num_arms}"

    @property
    def num_actions(self) -> int:
        return self.num_arms

    def action_space(self, params=None):
        return spaces.Discrete(self.num_arms)

    def observation_space(self, params=None):
        return spaces.Box(1.0, 1.0, (1,), jnp.float32)


def sample_arm_probs(key, num_arms: int, bias: float):
    """Arm probabilities ~ U(0, 1); with probability ``bias`` the best of them is moved to arm 0.

    So P(arm 0 is best) = bias + (1 - bias) / K; bias = 0 is the unbiased distribution.
    """
    k_probs, k_bias = jax.random.split(key)
    probs = jax.random.uniform(k_probs, (num_arms,))
    best = jnp.argmax(probs)
    swapped = probs.at[0].set(probs[best]).at[best].set(probs[0])
    return jnp.where(jax.random.bernoulli(k_bias, bias), swapped, probs)
