"""The static settings of each meta-learner, without JAX: sizes, state bytes and FLOPs per step.

The learners (symla.learners) extend these dataclasses with their JAX maths; the settings alone
are what the workflow needs while it parses (job memory, the cost line), so a dry run never
imports JAX. One definition of each default: params.yaml's ``networks`` override them.
"""

import dataclasses

FORGET_BIAS = 5.0  # VSML's gate offsets: a new cell keeps its state ...
INPUT_BIAS = -5.0  # ... and writes little, so it starts out weight-like.
FLOAT_BYTES = 4
# SymLA FLOPs per cell and micro tick: the gate matmul over [x (4M+1), h (H)] -> 4H, plus the
# forward and backward readouts (H -> M each), at H = 16, M = 8: 2 * 49 * 64 + 2 * 2 * 16 * 8.
FLOP_PER_CELL_TICK = 2 * 49 * 64 + 2 * 2 * 16 * 8


@dataclasses.dataclass(frozen=True)
class SymLASettings:
    """hidden: widths of hidden layers (empty tuple = VSML's single layer, inputs to outputs).
    cell_size: H, the size of h and c of every cell. message_size: M.
    ticks: micro ticks per environment step. message_norm: LayerNorm on messages between
    layers (VSML's deep variant).
    gate_bias: fixed offsets (input gate, forget gate) added to the LSTM's learned biases; VSML's
    (-5, +5) make a new cell keep its state and write little, so it starts out weight-like.
    """

    hidden: tuple = ()
    cell_size: int = 16
    message_size: int = 8
    ticks: int = 2
    message_norm: bool = False
    gate_bias: tuple = (INPUT_BIAS, FORGET_BIAS)

    def __post_init__(self):
        object.__setattr__(self, "hidden", tuple(int(h) for h in self.hidden))
        object.__setattr__(self, "gate_bias", tuple(float(b) for b in self.gate_bias))
        if self.cell_size < 2 or self.message_size < 1 or self.ticks < 1:
            raise ValueError("SymLA needs cell_size >= 2, message_size >= 1 and ticks >= 1")
        if len(self.gate_bias) != 2:
            raise ValueError("SymLA gate_bias is two numbers: (input gate, forget gate)")

    @property
    def input_size(self) -> int:
        """Width of x_ab: fm (M), bm (M), reward (1), fo (M), bo (M)."""
        return 4 * self.message_size + 1

    def layer_sizes(self, obs_size: int, num_actions: int):
        sizes = (obs_size, *self.hidden, num_actions)
        return list(zip(sizes[:-1], sizes[1:], strict=False))

    def state_bytes(self, obs_size: int, num_actions: int) -> int:
        """Per layer: h and c of every cell, and the layer's outgoing messages."""
        H, M = self.cell_size, self.message_size
        return FLOAT_BYTES * sum(2 * a * b * H + (a + b) * M for a, b in self.layer_sizes(obs_size, num_actions))

    def flops_per_step(self, obs_size: int, num_actions: int) -> int:
        cells = sum(a * b for a, b in self.layer_sizes(obs_size, num_actions))
        return cells * self.ticks * FLOP_PER_CELL_TICK


@dataclasses.dataclass(frozen=True)
class MetaRNNSettings:
    """obs_size / num_actions: the fixed (padded) sizes the LSTM is built for."""

    obs_size: int
    num_actions: int
    hidden_size: int = 64
    ticks: int = 2

    @property
    def input_size(self) -> int:
        return self.obs_size + self.num_actions + 1

    def state_bytes(self, obs_size: int, num_actions: int) -> int:
        return FLOAT_BYTES * 2 * self.hidden_size  # h and c

    def flops_per_step(self, obs_size: int, num_actions: int) -> int:
        n, d = self.hidden_size, self.input_size
        return self.ticks * 2 * (d + n) * 4 * n + 2 * n * self.num_actions


SETTINGS = {"symla": SymLASettings, "metarnn": MetaRNNSettings}
