"""MetaRNN (RL^2): one LSTM over [observation, one-hot previous action, reward] and a linear head.

Duan et al. 2016 ("RL^2"), Wang et al. 2016; the black-box baseline of SymLA. It has fixed input
and output sizes: smaller environments are zero-padded to them (observations and the previous-
action one-hot) and the logits of padded actions are dropped; larger ones cannot run at all.
"""

import dataclasses
import math

import jax
import jax.numpy as jnp

from symla.envs.transforms import pad_last
from symla.errors import ConfigValueError
from symla.shapes import MetaRNNSettings


@dataclasses.dataclass(frozen=True)
class MetaRNN(MetaRNNSettings):
    """An LSTM of the static settings in MetaRNNSettings (symla.shapes)."""

    def init_params(self, key):
        N, D = self.hidden_size, self.input_size
        k_x, k_h, k_o = jax.random.split(key, 3)
        return {
            "w_x": jax.random.normal(k_x, (D, 4 * N)) / math.sqrt(D + N),
            "w_h": jax.random.normal(k_h, (N, 4 * N)) / math.sqrt(D + N),
            "b": jnp.zeros((4 * N,)),
            "w_out": jax.random.normal(k_o, (N, self.num_actions)) / math.sqrt(N),
            "b_out": jnp.zeros((self.num_actions,)),
        }

    def check_sizes(self, obs_size: int, num_actions: int):
        if obs_size > self.obs_size or num_actions > self.num_actions:
            raise ConfigValueError(
                f"MetaRNN is built for at most {self.obs_size} observation dims and "
                f"{self.num_actions} actions, the environment has {obs_size} and {num_actions}; "
                f"it cannot run there (set the learner's obs_size/num_actions to pad further)")

    def init_state(self, params, key, obs_size: int, num_actions: int):
        self.check_sizes(obs_size, num_actions)
        dtype = params["w_x"].dtype
        return {"h": jnp.zeros((self.hidden_size,), dtype), "c": jnp.zeros((self.hidden_size,), dtype)}

    def step(self, params, state, obs, prev_action, reward):
        obs = jnp.asarray(obs).reshape(-1)
        num_actions = prev_action.shape[-1]
        self.check_sizes(obs.shape[-1], num_actions)
        dtype = params["w_x"].dtype
        x = jnp.concatenate([
            pad_last(obs.astype(dtype), self.obs_size),
            pad_last(prev_action.astype(dtype), self.num_actions),
            jnp.asarray(reward, dtype).reshape(1),
        ])
        pre_x = x @ params["w_x"] + params["b"]
        h, c = state["h"], state["c"]
        for _ in range(self.ticks):
            i, f, g, o = jnp.split(pre_x + h @ params["w_h"], 4)
            c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
            h = jax.nn.sigmoid(o) * jnp.tanh(c)
        logits = h @ params["w_out"] + params["b_out"]
        return logits[:num_actions], {"h": h, "c": c}
