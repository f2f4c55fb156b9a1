"""LPG-style grid worlds (Oh et al. 2020, "Discovering Reinforcement Learning Algorithms").

Objects carry (reward, termination probability, respawn probability). Stepping onto an active
object collects it: its reward is paid once, the episode ends with the termination probability,
and the object is gone until it respawns (each later step with the respawn probability) at a
uniformly random free cell. Observations are binary: an agent channel plus one channel per object
type over the whole map, flattened; walls are not observed, as in LPG. The per-type rewards and
probabilities are traced env params, not part of the static layout, so a task distribution is a
batch of params to vmap over, and a held-out split can swap rewards without touching the dynamics.
"""

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import struct
from gymnax.environments import environment, spaces

from symla.envs.layouts import LAYOUTS, MOVES, GridLayout, ObjectType  # noqa: F401 (re-exported)


@struct.dataclass
class EnvState(environment.EnvState):
    agent_pos: jax.Array  # int32[2] (row, col)
    obj_pos: jax.Array  # int32[N, 2]; meaningless while the object is inactive
    obj_active: jax.Array  # bool[N]
    time: int
    wind: jax.Array = struct.field(default_factory=lambda: np.zeros(2, np.int32))  # int32[2]: the episode's push
    velocity: jax.Array = struct.field(default_factory=lambda: np.zeros((), np.int32))  # corridors with inertia


@struct.dataclass(kw_only=True)
class EnvParams(environment.EnvParams):
    """Per-type values are traced so that tasks differing only in them share one compilation.
    Keyword-only: the base class's defaulted field comes first, and these have no default."""

    type_rewards: jax.Array  # float32[T]
    type_term_probs: jax.Array  # float32[T]
    type_respawn_probs: jax.Array  # float32[T]
    home_swap: jax.Array | bool = False  # layouts with homes: the first two objects' reset cells exchanged
    max_steps_in_episode: int = 500


def swap_type_rewards(params: EnvParams, i: int = 0, j: int = 1) -> EnvParams:
    """Swap the rewards of object types ``i`` and ``j``: the held-out "swapped" tasks, where a
    learned update rule must re-learn which objects to seek from reward alone."""
    r = params.type_rewards
    return params.replace(type_rewards=r.at[i].set(r[j]).at[j].set(r[i]))


class GridWorld(environment.Environment[EnvState, EnvParams]):
    """A gymnax grid world over a static ``GridLayout``; see the module docstring for the rules."""

    def __init__(self, layout: GridLayout):
        super().__init__()
        self.layout = layout
        self.height, self.width = layout.height, layout.width
        # Static arrays are numpy so they become compile-time constants, never traced.
        self.walls = np.array([[c == "#" for c in row] for row in layout.rows])
        # A border of walls turns "off the map" into "into a wall": one lookup at target + 1.
        self._blocked = np.pad(self.walls, 1, constant_values=True)
        self.free_cells = np.argwhere(~self.walls).astype(np.int32)
        self.obj_type = np.array([t for t, ot in enumerate(layout.object_types) for _ in range(ot.count)],
                                 np.int32)
        self.num_types = len(layout.object_types)
        self.num_objects = len(self.obj_type)
        self.obs_shape = layout.obs_shape
        self.obs_size = layout.obs_size
        self.moves = np.array(layout.move_offsets, np.int32)

    @property
    def default_params(self) -> EnvParams:
        types = self.layout.object_types
        return EnvParams(
            type_rewards=jnp.array([t.reward for t in types], jnp.float32),
            type_term_probs=jnp.array([t.term_prob for t in types], jnp.float32),
            type_respawn_probs=jnp.array([t.respawn_prob for t in types], jnp.float32),
            home_swap=jnp.array(False),
            max_steps_in_episode=self.layout.max_steps,
        )

    def _occupied(self, agent_pos, obj_pos, obj_active) -> jax.Array:
        """bool[H, W]: walls, the agent's cell and active objects' cells (where nothing may spawn)."""
        occ = jnp.asarray(self.walls).at[agent_pos[0], agent_pos[1]].set(True)
        rows = jnp.where(obj_active, obj_pos[:, 0], self.height)  # inactive -> out of range: dropped
        return occ.at[rows, obj_pos[:, 1]].set(True, mode="drop")

    def step_env(self, key, state, action, params) -> tuple[jax.Array, EnvState, jax.Array, jax.Array, dict[Any, Any]]:
        """Move, then collect (pay, maybe terminate), then respawn objects absent since before
        this step. Termination is drawn here, so ``is_terminated`` is never true by itself."""
        if self.layout.wind or self.layout.slip:
            k_term, k_respawn, k_cells, k_wind = jax.random.split(key, 4)
        else:
            k_term, k_respawn, k_cells = jax.random.split(key, 3)
        action = jnp.asarray(action, jnp.int32)
        if self.layout.slip:  # a slip replaces the move by a uniformly random one
            k_wind, k_slip, k_random = jax.random.split(k_wind, 3)
            slipped = jax.random.bernoulli(k_slip, self.layout.slip)
            action = jnp.where(slipped, jax.random.randint(k_random, (), 0, len(self.moves)), action)
        velocity = state.velocity
        if self.layout.inertia:  # the agent moves by its velocity, then the action changes it
            agent_pos = state.agent_pos
            for cells in range(self.layout.inertia):  # one cell at a time: a wall stops the agent
                step = jnp.asarray([0, 1], jnp.int32) * jnp.sign(velocity) * (jnp.abs(velocity) > cells)
                moved = self._move(agent_pos, step)
                velocity = jnp.where((moved == agent_pos).all() & (step != 0).any(), 0, velocity)
                agent_pos = moved
            velocity = jnp.clip(velocity + 2 * action - 1, -self.layout.inertia, self.layout.inertia)
        else:
            agent_pos = self._move(state.agent_pos, jnp.asarray(self.moves)[action])
        if self.layout.wind:  # then the wind may push it one more cell
            k_push, k_gust = jax.random.split(k_wind)
            wind = {"steady": lambda: state.wind, "gusts": lambda: self._draw_wind(k_gust),
                    "downhill": lambda: self._downhill(agent_pos, k_gust)}[self.layout.wind_mode]()
            push = jax.random.bernoulli(k_push, self.layout.wind)
            agent_pos = jnp.where(push, self._move(agent_pos, wind), agent_pos)

        obj_type = jnp.asarray(self.obj_type)
        hit = state.obj_active & (state.obj_pos == agent_pos).all(-1)  # at most one: cells are distinct
        reward = jnp.where(hit, params.type_rewards[obj_type], 0.0).sum()
        term_prob = jnp.where(hit, params.type_term_probs[obj_type], 0.0).sum()
        terminated = hit.any() & jax.random.bernoulli(k_term, term_prob)
        active = state.obj_active & ~hit

        # Only objects inactive at the start of the step may respawn, so the one just collected
        # stays away for at least one step. Respawning objects take the best-scoring free cells in
        # turn (uniform random scores, occupied cells masked), so they are uniform and distinct;
        # the layout check guarantees enough free cells.
        respawn = ~state.obj_active & jax.random.bernoulli(k_respawn, params.type_respawn_probs[obj_type])
        anywhere, reserved = respawn, active
        if self.layout.respawn_in_place:  # objects reappear where they were, once the cell is free
            homes = len(self.layout.homes) - 1 if self.layout.homes else self.num_objects
            homed = jnp.asarray(np.arange(self.num_objects) < homes)
            cell_taken = self._occupied(agent_pos, state.obj_pos, active)[state.obj_pos[:, 0], state.obj_pos[:, 1]]
            respawn = (respawn & ~homed) | (respawn & homed & ~cell_taken)
            anywhere, reserved = respawn & ~homed, active | homed  # a homed object's cell stays its own
        occupied = self._occupied(agent_pos, state.obj_pos, reserved).reshape(-1)
        scores = jnp.where(occupied, -1.0, jax.random.uniform(k_cells, occupied.shape))
        _, best = jax.lax.top_k(scores, self.num_objects)
        cell = best[jnp.cumsum(anywhere) - 1]  # the r-th respawning object takes the r-th best cell
        new_pos = jnp.stack([cell // self.width, cell % self.width], -1).astype(jnp.int32)
        obj_pos = jnp.where(anywhere[:, None], new_pos, state.obj_pos)

        state = EnvState(agent_pos=agent_pos, obj_pos=obj_pos, obj_active=active | respawn,
                         time=state.time + 1, wind=state.wind, velocity=velocity)
        return self.get_obs(state), state, reward, terminated, {"collected": hit}

    def _draw_wind(self, key) -> jax.Array:
        """A push direction, uniform among the layout's moves other than staying."""
        nonzero = np.array([m for m in self.layout.move_offsets if any(m)], np.int32)
        return jnp.asarray(nonzero)[jax.random.randint(key, (), 0, len(nonzero))]

    def _downhill(self, pos, key) -> jax.Array:
        """The push away from the home cell along the larger offset from it (random at home)."""
        offset = pos - jnp.asarray(self.layout.homes[0], jnp.int32)
        axis = jnp.argmax(jnp.abs(offset))
        away = jnp.zeros(2, jnp.int32).at[axis].set(jnp.sign(offset[axis]).astype(jnp.int32))
        return jnp.where((offset == 0).all(), self._draw_wind(key), away)

    def _move(self, pos, offset) -> jax.Array:
        """``pos + offset``, or ``pos`` where that cell is a wall or off the map."""
        target = pos + offset
        return jnp.where(jnp.asarray(self._blocked)[target[0] + 1, target[1] + 1], pos, target)

    def reset_env(self, key, params) -> tuple[jax.Array, EnvState]:
        """Agent and every object on distinct uniformly random free cells (or on the layout's
        homes, the first two objects' exchanged if the task says so, and exchanged again with the
        layout's episode_swap probability; objects without a home on random free cells), all
        objects active; with wind, the episode's wind direction drawn among the moves."""
        wind: jax.Array | np.ndarray = np.zeros(2, np.int32)
        if self.layout.wind:
            key, k_wind = jax.random.split(key)
            wind = self._draw_wind(k_wind)
        if self.layout.homes:
            k_swap, k_rest = jax.random.split(key)
            pos = jnp.asarray(self.layout.homes, jnp.int32)
            swap = params.home_swap
            if self.layout.episode_swap:
                swap = swap ^ jax.random.bernoulli(k_swap, self.layout.episode_swap)
            pos = jnp.where(swap, pos.at[1].set(pos[2]).at[2].set(pos[1]), pos)
            if len(self.layout.homes) < 1 + self.num_objects:  # the other objects: random free cells
                homed = {tuple(h) for h in self.layout.homes}
                free = np.array([c for c in self.free_cells.tolist() if tuple(c) not in homed], np.int32)
                chosen = jax.random.permutation(k_rest, len(free))[: 1 + self.num_objects - len(self.layout.homes)]
                pos = jnp.concatenate([pos, jnp.asarray(free)[chosen]])
        else:
            chosen = jax.random.permutation(key, len(self.free_cells))[: 1 + self.num_objects]
            pos = jnp.asarray(self.free_cells)[chosen]
        state = EnvState(agent_pos=pos[0], obj_pos=pos[1:],
                         obj_active=jnp.ones((self.num_objects,), bool), time=0, wind=jnp.asarray(wind, jnp.int32))
        return self.get_obs(state), state

    def get_obs(self, state, params=None, key=None) -> jax.Array:
        """"map": flat float32 of the binary (1 + T, H, W) tensor: agent, then active objects per
        type. "compact": per object type, the sign (-1, 0, +1) of the row and column offset from
        the agent to the nearest active object of that type (Manhattan distance, the lowest
        object index on ties), 0 and 0 when none is active: 2T inputs that say where to go,
        egocentrically, and nothing about which type is which."""
        if self.layout.inertia:
            velocity = (state.velocity / self.layout.inertia).astype(jnp.float32)
            return jnp.concatenate([self._egocentric(state), velocity[None]])
        return self._egocentric(state)

    def _egocentric(self, state) -> jax.Array:
        if self.layout.observation == "compact":
            return jnp.sign(self._nearest_offsets(state)).reshape(-1)
        if self.layout.observation == "nearness":  # sign / distance per axis: 1 when adjacent
            offsets = self._nearest_offsets(state)
            return (jnp.sign(offsets) / jnp.maximum(jnp.abs(offsets), 1.0)).reshape(-1)
        if self.layout.observation == "offsets":
            return (self._nearest_offsets(state) / max(self.height - 1, self.width - 1, 1)).reshape(-1)
        if self.layout.observation == "directions":
            sign = jnp.sign(self._nearest_offsets(state))  # [T, 2]
            return jnp.concatenate([sign < 0, sign > 0], -1).astype(jnp.float32).reshape(-1)
        grid = jnp.zeros(self.obs_shape, jnp.float32)
        grid = grid.at[0, state.agent_pos[0], state.agent_pos[1]].set(1.0)
        rows = jnp.where(state.obj_active, state.obj_pos[:, 0], self.height)
        grid = grid.at[1 + jnp.asarray(self.obj_type), rows, state.obj_pos[:, 1]].set(1.0, mode="drop")
        return grid.reshape(-1)

    def _nearest_offsets(self, state) -> jax.Array:
        """float32[T, 2]: (row, col) offset from the agent to the nearest active object of each
        type (Manhattan distance, the lowest object index on ties); 0, 0 when none is active."""
        offset = state.obj_pos - state.agent_pos  # [N, 2]
        dist = jnp.where(state.obj_active, jnp.abs(offset).sum(-1), self.height + self.width)
        obj_type = jnp.asarray(self.obj_type)
        per_type = jnp.where(obj_type[None, :] == jnp.arange(self.num_types)[:, None], dist[None, :],
                             2 * (self.height + self.width))  # [T, N]
        nearest = jnp.argmin(per_type, axis=1)  # [T]
        present = state.obj_active[nearest] & (obj_type[nearest] == jnp.arange(self.num_types))
        return jnp.where(present[:, None], offset[nearest], 0).astype(jnp.float32)

    def is_terminated(self, state, params) -> jax.Array:
        return jnp.array(False)  # termination is a coin flip on collection, drawn in step_env

    @property
    def name(self) -> str:
        return f"GridWorld-{self.layout.name}"

    @property
    def num_actions(self) -> int:
        return self.layout.moves

    def action_space(self, params=None) -> spaces.Discrete:
        return spaces.Discrete(self.layout.moves)

    def observation_space(self, params=None) -> spaces.Box:
        return spaces.Box(0.0, 1.0, (self.obs_size,), jnp.float32)
