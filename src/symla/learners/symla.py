"""SymLA: a policy network whose every weight is a tiny LSTM cell with shared parameters.

Kirsch, Flennerhag, van Hasselt, Friesen, Oh, Chen. "Introducing Symmetries to Black Box Meta
Reinforcement Learning", AAAI 2022 (arXiv 2109.10781), building on VSML (Kirsch & Schmidhuber,
NeurIPS 2021, arXiv 2012.14905).

Layer k maps A inputs to B outputs and holds one cell state (h_ab, c_ab) per pair (a, b). Each
micro tick every cell reads x_ab = [fm_a, bm_b, r, fo_b, bo_a] and is updated by one LSTM whose
parameters are shared by every cell of every layer. The layer then sends forward messages
fo_b = mean_a (Wf h_ab) + bf and backward messages bo_a = mean_b (Wb h_ab) + bb.

Why it is written this way (the maths is the plain per-cell LSTM above; benchmarks/throughput.py
measures it):
- the input projection of x_ab factorises into a per-input-unit term (fm_a, bo_a), a per-output-
  unit term (bm_b, fo_b, r) and the recurrent term h_ab Wh, so only h needs a per-cell product;
  fm_a = [o_a, 0, ..., 0] (and bm_b for the last layer) makes the first term one row of w_x;
- readouts commute with the mean, so fo = mean_a(h) Wf + bf costs one small product per layer;
- sigmoid(z) = (1 + tanh(z / 2)) / 2, with the 1/2 folded into the weights: every gate is one
  tanh, and c' = (c + T_f c + T_g + T_i T_g) / 2, h' = (1 + T_o) / 2 * tanh(c');
- on XLA:CPU the [cells, 4H] gate pre-activations, not the arithmetic, were the cost: a library
  matmul with K = H = 16 runs far below peak and every pass over a [cells, 4H] temporary is a
  trip to memory. So h Wh is written as H broadcast multiply-adds (in two interleaved chains for
  instruction-level parallelism) that XLA fuses with the gate nonlinearities: per tick one kernel
  reads (h, c) and writes c', another reads h and writes the output gate o'; nothing 4H wide is
  ever stored;
- XLA:CPU fusions have one output and XLA re-computes a cheap producer inside every consumer, so
  if one tick produced both c' and h' = o' tanh(c') (or the next tick read c' twice) it would
  store the four gates instead. The micro ticks therefore run in a fori_loop whose carry is
  (o', c'): h = o tanh(c), the messages and the unit terms are formed at the start of the next
  tick inside a lax.cond (whose outputs are materialised once), the first tick taking h and the
  messages from the state. The loop counter is never batched, so the cond stays a branch under
  vmap;
- nothing reads a unit's index, which is what makes the network permutation equivariant.
"""

import dataclasses
import functools
import math

import jax
import jax.numpy as jnp

from symla.shapes import FORGET_BIAS, INPUT_BIAS, SymLASettings  # noqa: F401 (VSML's gate offsets)

LOGIT_BOUND = 100.0  # VSML bounds logits as 100 * tanh(x / 100).


def _matmul(x, w):
    """x[..., K] @ w[K, N] as K broadcast multiply-adds, so XLA fuses it into its consumer instead
    of calling a matmul library; two interleaved accumulation chains halve the dependency chain."""
    chains = []
    for start in range(min(2, w.shape[0])):
        acc = x[..., start:start + 1] * w[start]
        for k in range(start + 2, w.shape[0], 2):
            acc = acc + x[..., k:k + 1] * w[k]
        chains.append(acc)
    return chains[0] if len(chains) == 1 else chains[0] + chains[1]


@dataclasses.dataclass(frozen=True)
class SymLA(SymLASettings):
    """A SymLA network of the static settings in SymLASettings (symla.shapes); the
    meta-parameters never depend on layer sizes."""

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

    def check_sizes(self, obs_size: int, num_actions: int):
        """Runs on any sizes: the cells are shared, so the network grows with the environment."""

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

    def _gate_scale(self, dtype):
        """Pre-activation scale: 1/2 for the sigmoid gates i, f, o (sigmoid(z) = (1 + tanh(z/2))/2),
        1 for the tanh gate g."""
        H = self.cell_size
        return jnp.asarray([0.5] * (2 * H) + [1.0] * H + [0.5] * H, dtype)

    def _messages(self, w, h):
        """This layer's outgoing (forward, backward) messages from its cells' h."""
        return (_matmul(h.mean(0), w["w_fwd"]) + w["b_fwd"],
                _matmul(h.mean(1), w["w_bwd"]) + w["b_bwd"])

    def _unit_terms(self, w, unit_in, unit_out, fwd, bwd):
        """Scaled gate pre-activations per input unit [A, 4H] and per output unit [B, 4H]; the
        layer's own outgoing messages enter as bo_a and fo_b."""
        return unit_in + _matmul(bwd, w["bo"]), unit_out + _matmul(fwd, w["fo"])

    def _gate(self, w, h, p_in, p_out, q):
        """tanh of the scaled pre-activation of gate q (0 i, 1 f, 2 g, 3 o) of every cell [A, B, H]."""
        s = slice(q * self.cell_size, (q + 1) * self.cell_size)
        return jnp.tanh(p_in[:, None, s] + p_out[None, :, s] + _matmul(h, w["h"][:, s]))

    def _layer(self, w, layer, unit_in, unit_out):
        """All micro ticks of one layer (same incoming messages on every tick)."""
        def tick(i, carry):
            o, c, _, _ = carry

            def first():  # the state's h and last outgoing messages
                return (layer["h"], *self._unit_terms(w, unit_in, unit_out, layer["fwd"], layer["bwd"]))

            def later():  # h and messages of the previous tick
                h = o * jnp.tanh(c)
                return (h, *self._unit_terms(w, unit_in, unit_out, *self._messages(w, h)))

            h, p_in, p_out = jax.lax.cond(i == 0, first, later)
            t_i, t_f, t_g = (self._gate(w, h, p_in, p_out, q) for q in range(3))
            c = 0.5 * (c + t_f * c + t_g + t_i * t_g)
            o = 0.5 * (1.0 + self._gate(w, h, p_in, p_out, 3))
            return o, c, p_in, p_out

        carry = (layer["h"], layer["c"], unit_in, unit_out)  # slot 0 (o) is unused on the first tick
        o, c, _, _ = jax.lax.fori_loop(0, self.ticks, tick, carry)
        h = o * jnp.tanh(c)
        fwd, bwd = self._messages(w, h)
        return {"h": h, "c": c, "fwd": fwd, "bwd": bwd}

    def step(self, params, state, obs, prev_action, reward):
        """One environment step: forward messages cross every layer, backward ones move one layer."""
        return _jit_step(self, params, state, obs, prev_action, reward)

    def _step(self, params, state, obs, prev_action, reward):
        M, H = self.message_size, self.cell_size
        w_x = params["w_x"]
        dtype = w_x.dtype
        s = self._gate_scale(dtype)
        input_bias, forget_bias = self.gate_bias
        bias = jnp.asarray([input_bias] * H + [forget_bias] * H + [0.0] * (2 * H), dtype)
        w = {"h": params["w_h"] * s, "fo": w_x[2 * M + 1:3 * M + 1] * s, "bo": w_x[3 * M + 1:] * s,
             "w_fwd": params["w_fwd"], "b_fwd": params["b_fwd"],
             "w_bwd": params["w_bwd"], "b_bwd": params["b_bwd"]}
        reward = jnp.asarray(reward, dtype)
        unit_in = jnp.asarray(obs, dtype).reshape(-1, 1) * (w_x[0] * s)  # fm_a = [o_a, 0, ..., 0]
        new_state = []
        for k, layer in enumerate(state):
            if k == len(state) - 1:  # bm_b = [one-hot previous action_b, 0, ..., 0]
                unit_out = jnp.asarray(prev_action, dtype).reshape(-1, 1) * (w_x[M] * s)
            else:  # previous step's value: one layer per step
                unit_out = _matmul(self._norm(state[k + 1]["bwd"]), w_x[M:2 * M] * s)
            unit_out = unit_out + (reward * w_x[2 * M] + params["b"] + bias) * s
            layer = self._layer(w, layer, unit_in, unit_out)
            new_state.append(layer)
            unit_in = _matmul(self._norm(layer["fwd"]), w_x[:M] * s)
        logits = LOGIT_BOUND * jnp.tanh(new_state[-1]["fwd"][:, 0] / LOGIT_BOUND)
        return logits, new_state


@functools.partial(jax.jit, static_argnums=0)
def _jit_step(learner, params, state, obs, prev_action, reward):
    """Compiled once per learner and shapes: eager callers (tests, a Python loop) reuse it, and
    inside a caller's jit it is inlined."""
    return learner._step(params, state, obs, prev_action, reward)
