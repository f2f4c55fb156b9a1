"""Known-good hand-written policies: the "reference" baseline beside the random policy.

They show the reader where the ceiling of a claim's figure is (bandits have the best arm's
expected reward instead, in symla.evaluate). Each is an oracle for its split: it is told what a
learner must find out (the pole dynamics' sign, which object type pays), so it needs no learning
and has no meta-parameters. Both follow the learner interface (symla.learners).

A permuted split is run through its unpermuted twin with the same lifetime keys: a policy that
knows the permutation would act identically, so the lifetimes are exactly the ones it would have.
"""

import dataclasses

import jax
import jax.numpy as jnp

from symla.learners import FixedPolicy

SURE = 30.0  # logit margin: the chosen action is sampled with probability 1 - 1e-13


@dataclasses.dataclass(frozen=True)
class CartPoleController(FixedPolicy):
    """Pushes the cart toward where the pole leans, with a little cart centring: a linear rule
    on the unscaled state (x, x_dot, theta, theta_dot). Measured: no failure in 200 lifetimes
    of 500 steps (tests/test_claims.py checks it against random)."""

    obs_scale: tuple
    gains: tuple = (0.1, 0.5, 10.0, 2.0)

    def step(self, params, state, obs, prev_action, reward):
        raw = jnp.asarray(obs).reshape(-1) * jnp.asarray(self.obs_scale, jnp.float32)
        right = jnp.asarray(self.gains, jnp.float32) @ raw > 0  # action 1 pushes right
        return jnp.where(right, jnp.array([-SURE, SURE]), jnp.array([SURE, -SURE])), state


@dataclasses.dataclass(frozen=True)
class GreedyCollector(FixedPolicy):
    """Grid worlds: steps toward the nearest active object of a rewarding type (Manhattan
    distance), never onto an object of a punishing type; ties and "nothing to collect" are broken
    uniformly at random. Told the per-type rewards of its split; walls are not considered (they
    are not observed), so it is a reference for open layouts such as "tiny"."""

    height: int
    width: int
    type_rewards: tuple
    moves: tuple  # (row, col) offset per action, as symla.envs.gridworld.MOVES

    def step(self, params, state, obs, prev_action, reward):
        H, W = self.height, self.width
        grid = jnp.asarray(obs).reshape(1 + len(self.type_rewards), H, W)
        rewards = jnp.asarray(self.type_rewards, jnp.float32)[:, None, None]
        good = (grid[1:] * (rewards > 0)).sum(0) > 0
        bad = (grid[1:] * (rewards < 0)).sum(0) > 0
        agent = jnp.argmax(grid[0].reshape(-1))
        pos = jnp.stack([agent // W, agent % W])
        target = jnp.clip(pos + jnp.asarray(self.moves), 0, jnp.array([H - 1, W - 1]))  # [A, 2]
        rows, cols = jnp.arange(H)[:, None], jnp.arange(W)[None, :]
        dist = (jnp.abs(target[:, 0, None, None] - rows) + jnp.abs(target[:, 1, None, None] - cols))
        nearest = jnp.where(good[None], dist, H + W).min((1, 2))  # [A]; H + W when none is active
        score = -nearest - 2 * (H + W) * bad[target[:, 0], target[:, 1]]
        return jnp.where(score == score.max(), 0.0, -SURE), state


@dataclasses.dataclass(frozen=True)
class CompactSeeker(FixedPolicy):
    """Grid worlds with the compact egocentric observation (per type, the sign of the row and
    column offset to its nearest active object): steps along a nonzero offset of the best-paying
    type that is present (uniformly among the moves that close the gap), and at random when none
    is. Told the per-type rewards; it cannot see how far objects are, so it does not dodge, except
    in layouts with wind, where with nothing to collect it steps away from the nearest punishing
    object (and so against the wind)."""

    type_rewards: tuple
    moves: tuple
    observation: str = "compact"  # (or offsets, nearness: the same signs) or "directions": per type 0/1 flags
    flee: bool = False  # with nothing to collect, step away from the nearest punishing object (wind)
    inertia: bool = False  # corridors with inertia (two punishing ends, nearness observed): a cart controller

    def step(self, params, state, obs, prev_action, reward):
        if self.inertia:  # a cart: brake while moving, else accelerate toward the farther punishing end
            ends = jnp.asarray(obs)[:-1].reshape(len(self.type_rewards), 2)[:, 1]  # nearness: sign / distance
            v = jnp.asarray(obs)[-1]
            toward_right = jnp.where(v != 0, v < 0, ends[jnp.abs(ends).argmin()] > 0)
            return jnp.where(toward_right, jnp.array([-SURE, 0.0]), jnp.array([0.0, -SURE])), state
        if self.observation == "directions":
            d = jnp.asarray(obs).reshape(len(self.type_rewards), 2, 2)  # [T, (negative, positive), (row, col)]
            offsets = d[:, 1] - d[:, 0]
        else:
            offsets = jnp.asarray(obs).reshape(len(self.type_rewards), 2)
        present = jnp.abs(offsets).sum(1) > 0
        rewards = jnp.asarray(self.type_rewards, jnp.float32)
        best = jnp.argmax(jnp.where(present & (rewards > 0), rewards, -jnp.inf))
        seek = present[best] & (rewards[best] > 0)
        moves = jnp.asarray(self.moves, jnp.float32)
        closes = (moves * offsets[best]).sum(1) > 0  # [A]
        seeking = jnp.where(closes, 0.0, -SURE)
        if self.flee:  # nothing to collect: step away from the nearest punishing object
            size = jnp.abs(offsets).sum(1)  # nearness observes sign / distance: large is near
            size = 1.0 / jnp.maximum(size, 1e-6) if self.observation == "nearness" else size
            dist = jnp.where(present & (rewards < 0), size, jnp.inf)
            worst = jnp.argmin(dist)
            away = (moves * offsets[worst]).sum(1) < 0
            fleeing = jnp.where(jnp.isfinite(dist[worst]) & away.any(), jnp.where(away, 0.0, -SURE), 0.0)
            return jnp.where(seek & closes.any(), seeking, fleeing), state
        return jnp.where(seek & closes.any(), seeking, 0.0), state


def reference_policy(split):
    """(policy, split to run it on) for splits with a known-good policy, else None."""
    from symla.envs.gridworld import GridWorld
    from symla.envs.splits import make_split

    twin = make_split(split.twin)
    if isinstance(twin.env, GridWorld):
        env = twin.env
        rewards = twin.sample_env_params(jax.random.PRNGKey(0)).type_rewards  # fixed per grid-world split
        moves = tuple(tuple(int(v) for v in m) for m in env.moves)
        if env.layout.observation in ("compact", "offsets", "directions", "nearness"):
            return CompactSeeker(tuple(float(r) for r in rewards), moves, env.layout.observation,
                                 flee=bool(env.layout.wind), inertia=bool(env.layout.inertia)), twin
        return GreedyCollector(env.height, env.width, tuple(float(r) for r in rewards), moves), twin
    if twin.name == "cartpole":
        return CartPoleController(tuple(twin.obs_scale)), twin
    return None
