"""LPG-style grid worlds (Oh et al. 2020, "Discovering Reinforcement Learning Algorithms").

Objects carry (reward, termination probability, respawn probability). Stepping onto an active
object collects it: its reward is paid once, the episode ends with the termination probability,
and the object is gone until it respawns, each later step with the respawn probability, at a
random free cell. Observations are binary: an agent channel plus one channel per object type,
over the whole map, flattened. Object-type rewards are env params, so a held-out split can swap
them without touching the dynamics.
"""

import dataclasses
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import struct
from gymnax.environments import environment, spaces

# action 0 stays; then the 4 axis moves; then the 4 diagonals (used with moves=9)
MOVES = ((0, 0), (-1, 0), (1, 0), (0, -1), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1))


@dataclasses.dataclass(frozen=True)
class ObjectType:
    count: int
    reward: float
    term_prob: float
    respawn_prob: float


@dataclasses.dataclass(frozen=True)
class GridLayout:
    """A map ('#' wall, '.' free; moving off the map is blocked too) and its object types."""

    name: str
    rows: tuple
    object_types: tuple
    max_steps: int
    moves: int = 9

    def __post_init__(self):
        if len({len(r) for r in self.rows}) != 1:
            raise ValueError(f"layout {self.name!r}: every row must have the same length")
        if self.moves not in (5, 9):
            raise ValueError(f"layout {self.name!r}: moves must be 5 or 9")
        free = sum(r.count(".") for r in self.rows)
        if free < 1 + sum(t.count for t in self.object_types):
            raise ValueError(f"layout {self.name!r}: not enough free cells for the agent and objects")


def _open(height, width):
    return tuple("." * width for _ in range(height))


def _objects(*specs):
    return tuple(ObjectType(*s) for s in specs)


LAYOUTS = {
    "small": GridLayout("small", _open(5, 7), _objects((2, 1.0, 0.0, 0.05), (2, -1.0, 0.5, 0.1)), 500),
    "small_sparse": GridLayout("small_sparse", _open(5, 7), _objects((1, 1.0, 1.0, 1.0), (2, -1.0, 1.0, 1.0)), 50),
    "dense": GridLayout("dense", _open(11, 11),
                        _objects((2, 1.0, 0.0, 0.05), (1, -1.0, 0.5, 0.1), (1, -1.0, 0.0, 0.5)), 500),
    # A small layout for CPU-scale experiments: 3 x 5 x 5 = 75 inputs, 5 actions.
    "tiny": GridLayout("tiny", _open(5, 5), _objects((1, 1.0, 0.0, 0.05), (1, -1.0, 0.0, 0.05)), 100, moves=5),
    "small_walls": GridLayout("small_walls", (".......", "..#....", "..#.#..", "....#..", "......."),
                              _objects((2, 1.0, 0.0, 0.05), (2, -1.0, 0.5, 0.1)), 500),
}


@struct.dataclass
class EnvState(environment.EnvState):
    agent_pos: jax.Array  # int32[2] (row, col)
    obj_pos: jax.Array  # int32[N, 2]
    obj_active: jax.Array  # bool[N]


@struct.dataclass
class EnvParams(environment.EnvParams):
    type_rewards: jax.Array = None
    type_term_probs: jax.Array = None
    type_respawn_probs: jax.Array = None
    max_steps_in_episode: int = 500


def swap_type_rewards(params: EnvParams, i: int = 0, j: int = 1) -> EnvParams:
    """Swap the rewards of two object types: the held-out task of claim 3."""
    r = params.type_rewards
    return params.replace(type_rewards=r.at[i].set(r[j]).at[j].set(r[i]))


class GridWorld(environment.Environment[EnvState, EnvParams]):
    def __init__(self, layout: GridLayout):
        super().__init__()
        self.layout = layout
        self.height, self.width = len(layout.rows), len(layout.rows[0])
        self.walls = np.array([[c == "#" for c in row] for row in layout.rows])
        self.free_cells = np.argwhere(~self.walls).astype(np.int32)  # static: numpy, not traced
        self.obj_type = jnp.array([t for t, ot in enumerate(layout.object_types) for _ in range(ot.count)],
                                  jnp.int32)
        self.num_types = len(layout.object_types)
        self.num_objects = int(self.obj_type.shape[0])
        self.obs_size = (1 + self.num_types) * self.height * self.width
        self.moves = jnp.array(MOVES[: layout.moves], jnp.int32)

    @property
    def default_params(self) -> EnvParams:
        types = self.layout.object_types
        return EnvParams(
            type_rewards=jnp.array([t.reward for t in types], jnp.float32),
            type_term_probs=jnp.array([t.term_prob for t in types], jnp.float32),
            type_respawn_probs=jnp.array([t.respawn_prob for t in types], jnp.float32),
            max_steps_in_episode=self.layout.max_steps,
        )

    def _occupancy(self, agent_pos, obj_pos, obj_active):
        """Cells that are walls, the agent's, or an active object's."""
        occ = jnp.asarray(self.walls).at[agent_pos[0], agent_pos[1]].set(True)
        rows = jnp.where(obj_active, obj_pos[:, 0], self.height)  # inactive -> out of range: dropped
        return occ.at[rows, obj_pos[:, 1]].set(True, mode="drop")

    def _random_free_cell(self, key, occupied):
        scores = jax.random.uniform(key, occupied.shape)
        flat = jnp.argmax(jnp.where(occupied, -1.0, scores).reshape(-1))
        return jnp.stack([flat // self.width, flat % self.width]).astype(jnp.int32)

    def step_env(self, key, state, action, params) -> tuple[jax.Array, EnvState, jax.Array, jax.Array, dict[Any, Any]]:
        k_term, k_respawn, k_cells = jax.random.split(key, 3)
        target = state.agent_pos + self.moves[action]
        inside = (target >= 0).all() & (target[0] < self.height) & (target[1] < self.width)
        clipped = jnp.clip(target, 0, jnp.array([self.height - 1, self.width - 1]))
        blocked = ~inside | jnp.asarray(self.walls)[clipped[0], clipped[1]]
        agent_pos = jnp.where(blocked, state.agent_pos, clipped)

        hit = state.obj_active & (state.obj_pos == agent_pos).all(-1)  # at most one active per cell
        reward = (hit * params.type_rewards[self.obj_type]).sum()
        term_prob = (hit * params.type_term_probs[self.obj_type]).sum()
        terminated = hit.any() & jax.random.bernoulli(k_term, term_prob)
        active = state.obj_active & ~hit

        # Objects inactive at the start of this step may respawn (the one just collected may not).
        respawn = ~state.obj_active & jax.random.bernoulli(
            k_respawn, params.type_respawn_probs[self.obj_type])

        def place(carry, inputs):
            obj_pos, active = carry
            i, k = inputs
            cell = self._random_free_cell(k, self._occupancy(agent_pos, obj_pos, active))
            obj_pos = obj_pos.at[i].set(jnp.where(respawn[i], cell, obj_pos[i]))
            return (obj_pos, active.at[i].set(active[i] | respawn[i])), None

        (obj_pos, active), _ = jax.lax.scan(
            place, (state.obj_pos, active),
            (jnp.arange(self.num_objects), jax.random.split(k_cells, self.num_objects)))
        state = EnvState(time=state.time + 1, agent_pos=agent_pos, obj_pos=obj_pos, obj_active=active)
        return self.get_obs(state), state, reward, terminated, {"collected": hit}

    def reset_env(self, key, params):
        chosen = jax.random.permutation(key, len(self.free_cells))[: 1 + self.num_objects]
        pos = jnp.asarray(self.free_cells)[chosen]
        state = EnvState(time=0, agent_pos=pos[0], obj_pos=pos[1:],
                         obj_active=jnp.ones((self.num_objects,), bool))
        return self.get_obs(state), state

    def get_obs(self, state, params=None, key=None):
        grid = jnp.zeros((1 + self.num_types, self.height, self.width), jnp.float32)
        grid = grid.at[0, state.agent_pos[0], state.agent_pos[1]].set(1.0)
        rows = jnp.where(state.obj_active, state.obj_pos[:, 0], self.height)
        grid = grid.at[1 + self.obj_type, rows, state.obj_pos[:, 1]].set(1.0, mode="drop")
        return grid.reshape(-1)

    def is_terminated(self, state, params):
        return jnp.array(False)  # termination is drawn in step_env when an object is collected

    @property
    def name(self) -> str:
        return f"GridWorld-{self.layout.name}"

    @property
    def num_actions(self) -> int:
        return self.layout.moves

    def action_space(self, params=None):
        return spaces.Discrete(self.layout.moves)

    def observation_space(self, params=None):
        return spaces.Box(0.0, 1.0, (self.obs_size,), jnp.float32)
