"""The fused SymLA step equals a plain per-cell LSTM written straight from the method notes
(../shared/SYMLA.md), in float64, with hidden layers, message normalisation and several steps.
The symmetry tests alone would also pass for a wrong but symmetric cell."""

import math

import jax
import numpy as np
import pytest

from symla.learners import SymLA
from symla.learners.symla import FORGET_BIAS, INPUT_BIAS, LOGIT_BOUND


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def layer_norm(m):
    mu = m.mean(-1, keepdims=True)
    return (m - mu) / np.sqrt(((m - mu) ** 2).mean(-1, keepdims=True) + 1e-5)


def plain_step(learner, p, state, obs, prev_action, reward):
    """One environment step, one cell at a time, in the notes' words:
    x_ab = [fm_a, bm_b, r, fo_b, bo_a]; (h, c) <- LSTM(x_ab; shared W_x, W_h, b), gates i, f, g, o
    with offsets -5 on i and +5 on f; fo_b = mean_a(Wf h_ab) + bf, bo_a = mean_b(Wb h_ab) + bb;
    fm of layer 1 is [o_a, 0, ...], bm of the last layer [onehot(a_prev)_b, 0, ...]; forward
    messages cross all layers in one step, backward ones come from the previous step; `ticks`
    micro ticks per step with the same incoming messages; logits 100 tanh(fo_b[0] / 100)."""
    H, M = learner.cell_size, learner.message_size
    norm = layer_norm if learner.message_norm else (lambda m: m)
    offset = np.concatenate([np.full(H, INPUT_BIAS), np.full(H, FORGET_BIAS), np.zeros(2 * H)])
    fm = np.zeros((len(obs), M))
    fm[:, 0] = obs
    new_state = []
    for k, layer in enumerate(state):
        h, c = np.array(layer["h"]), np.array(layer["c"])
        A, B = h.shape[:2]
        if k == len(state) - 1:
            bm = np.zeros((B, M))
            bm[:, 0] = prev_action
        else:
            bm = norm(np.array(state[k + 1]["bwd"]))
        fo, bo = np.array(layer["fwd"]), np.array(layer["bwd"])  # own messages of the last tick
        for _ in range(learner.ticks):
            h_new, c_new = np.empty_like(h), np.empty_like(c)
            for a in range(A):
                for b in range(B):
                    x = np.concatenate([fm[a], bm[b], [reward], fo[b], bo[a]])
                    z = x @ p["w_x"] + h[a, b] @ p["w_h"] + p["b"] + offset
                    i, f, g, o = sigmoid(z[:H]), sigmoid(z[H:2 * H]), np.tanh(z[2 * H:3 * H]), sigmoid(z[3 * H:])
                    c_new[a, b] = f * c[a, b] + i * g
                    h_new[a, b] = o * np.tanh(c_new[a, b])
            h, c = h_new, c_new
            fo = np.array([np.mean([h[a, b] @ p["w_fwd"] for a in range(A)], 0) for b in range(B)]) + p["b_fwd"]
            bo = np.array([np.mean([h[a, b] @ p["w_bwd"] for b in range(B)], 0) for a in range(A)]) + p["b_bwd"]
        new_state.append({"h": h, "c": c, "fwd": fo, "bwd": bo})
        fm = norm(fo)
    logits = LOGIT_BOUND * np.tanh(new_state[-1]["fwd"][:, 0] / LOGIT_BOUND)
    return logits, new_state


@pytest.mark.parametrize("learner", [SymLA(cell_size=6, message_size=3),
                                     SymLA(hidden=(3,), cell_size=6, message_size=3, message_norm=True, ticks=3),
                                     SymLA(hidden=(3, 2), cell_size=4, message_size=2)])
def test_fused_step_equals_the_plain_per_cell_lstm(learner):
    with jax.enable_x64(True):
        key = jax.random.PRNGKey(0)
        params = jax.tree.map(lambda x: 2.0 * x + 0.05, learner.init_params(key))  # away from init
        obs_size, actions, steps = 4, 3, 6
        state = learner.init_state(params, jax.random.PRNGKey(1), obs_size, actions)
        rng = np.random.default_rng(0)
        p = {k: np.asarray(v) for k, v in params.items()}
        plain = [{k: np.asarray(v) for k, v in layer.items()} for layer in state]
        for t in range(steps):
            obs = rng.normal(size=obs_size)
            prev = np.zeros(actions) if t == 0 else np.eye(actions)[rng.integers(actions)]
            reward = float(rng.normal())
            logits, state = learner.step(params, state, obs, prev, reward)
            ref_logits, plain = plain_step(learner, p, plain, obs, prev, reward)
            assert np.asarray(logits).dtype == np.float64
            np.testing.assert_allclose(np.asarray(logits), ref_logits, rtol=0, atol=1e-10)
            for fused, ref in zip(state, plain, strict=True):
                for name in ("h", "c", "fwd", "bwd"):
                    np.testing.assert_allclose(np.asarray(fused[name]), ref[name], rtol=0, atol=1e-10)
        assert np.abs(ref_logits).max() > 1e-3 and math.isfinite(float(np.abs(ref_logits).max()))
