"""SymLA: a policy network whose every weight is a tiny LSTM cell with shared parameters.

Kirsch, Flennerhag, van Hasselt, Friesen, Oh, Chen. "Introducing Symmetries to Black Box Meta
Reinforcement Learning", AAAI 2022 (arXiv 2109.10781), building on VSML (Kirsch & Schmidhuber,
NeurIPS 2021, arXiv 2012.14905).

Layer k maps A inputs to B outputs and holds one cell state (h_ab, c_ab) per pair (a, b). Each
micro tick every cell reads x_ab = [fm_a, bm_b, r, fo_b, bo_a] and is updated by one LSTM whose
parameters are shared by every cell of every layer. The layer then sends forward messages
fo_b = mean_a (Wf h_ab) + bf and backward messages bo_a = mean_b (Wb h_ab) + bb.

Why it is written this way (the maths is the plain per-cell LSTM above):
- the input projection of x_ab factorises into a per-input-unit term (fm_a, bo_a), a per-output-
  unit term (bm_b, fo_b, r) and the recurrent term h_ab Wh, so only h needs a per-cell matmul;
- readouts commute with the mean, so fo = mean_a(h) Wf + bf costs one small matmul per layer;
- nothing reads a unit's index, which is what makes the network permutation equivariant.
"""

import dataclasses
import math

import jax
import jax.numpy as jnp

from symla.envs.transforms import pad_last

FORGET_BIAS = 5.0  # VSML: a new cell keeps its state ...
INPUT_BIAS = -5.0  # ... and writes little, so it starts out weight-like.
LOGIT_BOUND = 100.0  # VSML bounds logits as 100 * tanh(x / 100).


@dataclasses.dataclass(frozen=True)
class SymLA:
    """Static settings of a SymLA network; the meta-parameters never depend on layer sizes.

    hidden: widths of hidden layers (empty tuple = VSML's single layer, inputs to outputs).
    cell_size: H, the size of h and c of every cell. message_size: M.
    ticks: micro ticks per environment step. message_norm: LayerNorm on messages between
    layers (VSML's deep variant).
    """

    hidden: tuple = ()
    cell_size: int = 16
    message_size: int = 8
    ticks: int = 2
    message_norm: bool = False

    def __post_init__(self):
        object.__setattr__(self, "hidden", tuple(int(h) for h in self.hidden))
        if self.cell_size < 2 or self.message_size < 1 or self.ticks < 1:
            raise ValueError("SymLA needs cell_size >= 2, message_size >= 1 and ticks >= 1")

    @property
    def input_size(self) -> int:
        """Width of x_ab: fm (M), bm (M), reward (1), fo (M), bo (M)."""
        return 4 * self.message_size + 1

    def init_params(self, key):
        """Shared cell parameters, weights drawn with std 1/sqrt(fan_in) as in VSML."""
        H, M, D = self.cell_size, self.message_size, self.input_size
        k_x, k_h, k_f, k_b = jax.random.split(key, 4)
        fan_in = D + H
        return {
            "w_x": jax.random.normal(k_x, (D, 4 * H)) / math.sqrt(fan_in),
            "w_h": jax.random.normal(k_h, (H, 4 * H)) / math.sqrt(fan_in),
            "b": jnp.zeros((4 * H,)),
            "w_fwd": jax.random.normal(k_f, (H, M)) / math.sqrt(H),
            "b_fwd": jnp.zeros((M,)),
            "w_bwd": jax.random.normal(k_b, (H, M)) / math.sqrt(H),
            "b_bwd": jnp.zeros((M,)),
        }

    def layer_sizes(self, obs_size: int, num_actions: int):
        sizes = (obs_size, *self.hidden, num_actions)
        return list(zip(sizes[:-1], sizes[1:], strict=False))

    def init_state(self, params, key, obs_size: int, num_actions: int):
        """Fresh lifetime state: h = 0; the first half of c ~ truncated N(0, 1/n_in), rest 0.

        Every cell gets its own draw: sharing one draw across cells would leave them identical
        and the network could never tell its weights apart.
        """
        H, M = self.cell_size, self.message_size
        dtype = params["w_x"].dtype
        layers = []
        for k_layer, (A, B) in zip(jax.random.split(key, len(self.hidden) + 1),
                                   self.layer_sizes(obs_size, num_actions), strict=False):
            noise = jax.random.truncated_normal(k_layer, -2.0, 2.0, (A, B, H // 2), dtype)
            c = jnp.concatenate([noise / math.sqrt(A), jnp.zeros((A, B, H - H // 2), dtype)], -1)
            layers.append({
                "h": jnp.zeros((A, B, H), dtype),
                "c": c,
                "fwd": jnp.zeros((B, M), dtype),  # this layer's last outgoing forward messages
                "bwd": jnp.zeros((A, M), dtype),  # ... and backward messages
            })
        return layers

    def _norm(self, m):
        if not self.message_norm:
            return m
        mu = m.mean(-1, keepdims=True)
        return (m - mu) * jax.lax.rsqrt(((m - mu) ** 2).mean(-1, keepdims=True) + 1e-5)

    def _gate_params(self, params):
        """Gate weights with the VSML offsets folded into the bias and every sigmoid gate's column
        halved, so that one tanh gives all four gates: sigmoid(z) = 0.5 + 0.5 * tanh(z / 2).
        Done once per step on the shared (small) parameters, not per cell."""
        H = self.cell_size
        dtype = params["w_x"].dtype
        half, one = jnp.full((H,), 0.5, dtype), jnp.ones((H,), dtype)
        scale = jnp.concatenate([half, half, one, half])  # gate order i, f, g, o
        offset = jnp.concatenate([jnp.full((H,), INPUT_BIAS, dtype), jnp.full((H,), FORGET_BIAS, dtype),
                                  jnp.zeros((2 * H,), dtype)])
        return dict(params, w_x=params["w_x"] * scale, w_h=params["w_h"] * scale, b=(params["b"] + offset) * scale)

    def _tick(self, params, layer, unit_in, unit_out):
        """One micro tick of every cell of a layer, given its per-unit (scaled) gate inputs."""
        H, M = self.cell_size, self.message_size
        w_x = params["w_x"]
        # Own outgoing messages from the previous tick enter as fo_b (per output) and bo_a (per input).
        pre_in = unit_in + layer["bwd"] @ w_x[3 * M + 1:]
        pre_out = unit_out + layer["fwd"] @ w_x[2 * M + 1:3 * M + 1]
        t = jnp.tanh(pre_in[:, None, :] + pre_out[None, :, :] + layer["h"] @ params["w_h"])
        sig = 0.5 + 0.5 * t  # the i, f, o gates (their inputs were halved)
        c = sig[..., H:2 * H] * layer["c"] + sig[..., :H] * t[..., 2 * H:3 * H]
        h = sig[..., 3 * H:] * jnp.tanh(c)
        return {
            "h": h,
            "c": c,
            "fwd": h.mean(0) @ params["w_fwd"] + params["b_fwd"],
            "bwd": h.mean(1) @ params["w_bwd"] + params["b_bwd"],
        }

    def step(self, params, state, obs, prev_action, reward):
        """One environment step: forward messages cross every layer, backward ones move one layer."""
        M = self.message_size
        params = self._gate_params(params)
        w_x = params["w_x"]
        dtype = w_x.dtype
        reward = jnp.asarray(reward, dtype)
        fm = pad_last(jnp.asarray(obs, dtype).reshape(-1, 1), M)  # fm_a = [o_a, 0, ..., 0]
        new_state = []
        for k, layer in enumerate(state):
            if k == len(state) - 1:
                bm = pad_last(jnp.asarray(prev_action, dtype).reshape(-1, 1), M)
            else:
                bm = self._norm(state[k + 1]["bwd"])  # previous step's value: one layer per step
            unit_in = fm @ w_x[:M]
            unit_out = bm @ w_x[M:2 * M] + reward * w_x[2 * M] + params["b"]
            for _ in range(self.ticks):  # same incoming messages on every micro tick
                layer = self._tick(params, layer, unit_in, unit_out)
            new_state.append(layer)
            fm = self._norm(layer["fwd"])
        logits = LOGIT_BOUND * jnp.tanh(new_state[-1]["fwd"][:, 0] / LOGIT_BOUND)
        return logits, new_state
