"""Grid-world dynamics against their definition: walls, one payment per collection, and
Monte Carlo termination / respawn frequencies within 4 standard errors."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from symla.envs.gridworld import LAYOUTS, EnvState, GridLayout, GridWorld, ObjectType, swap_type_rewards

N_MC = 20000


def state(agent, objs, active=None):
    objs = jnp.array(objs, jnp.int32).reshape(-1, 2)
    active = jnp.ones(len(objs), bool) if active is None else jnp.array(active)
    return EnvState(time=0, agent_pos=jnp.array(agent, jnp.int32), obj_pos=objs, obj_active=active)


def test_walls_and_edges_block_and_free_moves_move():
    env = GridWorld(LAYOUTS["small_walls"])  # wall at (1, 2), (2, 2), (2, 4), (3, 4)
    p = env.default_params.replace(type_respawn_probs=jnp.zeros(2))
    far = [[4, 6], [4, 5], [0, 6], [0, 5]]
    s = state([1, 1], far)
    expected = {0: [1, 1], 1: [0, 1], 2: [2, 1], 3: [1, 0], 4: [1, 1],  # 4 = right: the wall (1, 2)
                5: [0, 0], 6: [0, 2], 7: [2, 0], 8: [1, 1]}  # 8 = down-right: the wall (2, 2)
    for action, pos in expected.items():
        _, s2, *_ = env.step_env(jax.random.PRNGKey(0), s, action, p)
        assert s2.agent_pos.tolist() == pos, action
    corner = state([0, 0], far)
    for action in (1, 3, 5, 6, 7):  # off the map
        _, s2, *_ = env.step_env(jax.random.PRNGKey(0), corner, action, p)
        assert s2.agent_pos.tolist() == [0, 0], action


def test_five_move_layout_has_no_diagonals():
    env = GridWorld(LAYOUTS["tiny"])
    assert env.num_actions == 5 and env.obs_size == 75
    s = state([2, 2], [[0, 0], [4, 4]])
    moved = [env.step_env(jax.random.PRNGKey(0), s, a, env.default_params)[1].agent_pos.tolist() for a in range(5)]
    assert moved == [[2, 2], [1, 2], [3, 2], [2, 1], [2, 3]]


def test_reward_is_paid_once_per_collection():
    env = GridWorld(LAYOUTS["small"])
    p = env.default_params.replace(type_respawn_probs=jnp.zeros(2), type_term_probs=jnp.zeros(2))
    s = state([2, 2], [[2, 3], [0, 0], [4, 6], [4, 5]])  # object 0 (type 0, +1) right of the agent
    obs, s, reward, term, info = env.step_env(jax.random.PRNGKey(0), s, 4, p)
    assert float(reward) == 1.0 and not bool(s.obj_active[0]) and s.obj_active[1:].all()
    assert float(obs.reshape(3, 5, 7)[1].sum()) == 1.0  # one type-0 object left visible
    _, s, reward, *_ = env.step_env(jax.random.PRNGKey(1), s, 0, p)  # stay on the same cell
    assert float(reward) == 0.0
    s = state([2, 2], [[0, 0], [0, 1], [2, 1], [4, 5]])  # object 2 is type 1 (-1), left
    _, _, reward, *_ = env.step_env(jax.random.PRNGKey(0), s, 3, p)
    assert float(reward) == -1.0
    _, _, reward, *_ = env.step_env(jax.random.PRNGKey(0), s, 3, swap_type_rewards(p))
    assert float(reward) == 1.0


def _within(freq, p, n):
    return abs(freq - p) <= 4 * np.sqrt(p * (1 - p) / n) + 1e-9


@pytest.mark.parametrize("term_prob", [0.0, 0.3, 1.0])
def test_termination_frequency_matches_probability(term_prob):
    env = GridWorld(LAYOUTS["small"])
    p = env.default_params.replace(type_term_probs=jnp.array([term_prob, 0.0]))
    s = state([2, 2], [[2, 3], [0, 0], [4, 6], [4, 5]])
    keys = jax.random.split(jax.random.PRNGKey(0), N_MC)
    term = jax.vmap(lambda k: env.step_env(k, s, 4, p)[3])(keys)
    assert _within(float(term.mean()), term_prob, N_MC)


@pytest.mark.parametrize("respawn_prob", [0.05, 0.5])
def test_respawn_frequency_matches_probability_and_lands_on_free_cells(respawn_prob):
    env = GridWorld(LAYOUTS["small_walls"])
    p = env.default_params.replace(type_respawn_probs=jnp.array([respawn_prob, respawn_prob]))
    # objects 0 and 1 were collected earlier; the agent stays put
    s = state([0, 0], [[0, 1], [0, 2], [4, 6], [4, 5]], active=[False, False, True, True])
    keys = jax.random.split(jax.random.PRNGKey(1), N_MC)
    _, s2, *_ = jax.vmap(lambda k: env.step_env(k, s, 0, p))(keys)
    for i in (0, 1):
        assert _within(float(s2.obj_active[:, i].mean()), respawn_prob, N_MC)
    both = np.asarray(s2.obj_active[:, 0] & s2.obj_active[:, 1])
    pos = np.asarray(s2.obj_pos)
    walls = np.asarray(env.walls)
    for i in (0, 1):
        landed = pos[np.asarray(s2.obj_active[:, i]), i]
        assert not walls[landed[:, 0], landed[:, 1]].any()
        assert not ((landed == [0, 0]).all(1)).any()  # not on the agent
        assert not ((landed == [4, 6]).all(1) | (landed == [4, 5]).all(1)).any()  # not on active objects
    assert not (pos[both, 0] == pos[both, 1]).all(1).any()  # two respawns never share a cell


def test_collected_object_does_not_respawn_in_the_same_step():
    env = GridWorld(LAYOUTS["small"])
    p = env.default_params.replace(type_respawn_probs=jnp.ones(2), type_term_probs=jnp.zeros(2))
    s = state([2, 2], [[2, 3], [0, 0], [4, 6], [4, 5]])
    _, s, *_ = env.step_env(jax.random.PRNGKey(0), s, 4, p)
    assert not bool(s.obj_active[0])
    _, s, *_ = env.step_env(jax.random.PRNGKey(1), s, 0, p)  # respawn prob 1: back next step
    assert bool(s.obj_active[0]) and s.obj_pos[0].tolist() != [2, 3]


def test_reset_places_everything_on_distinct_free_cells():
    env = GridWorld(LAYOUTS["small_walls"])
    obs, s = jax.vmap(lambda k: env.reset(k, env.default_params))(jax.random.split(jax.random.PRNGKey(0), 500))
    allpos = np.concatenate([np.asarray(s.agent_pos)[:, None], np.asarray(s.obj_pos)], 1)
    for cells in allpos:
        assert len({tuple(c) for c in cells}) == 5
        assert not np.asarray(env.walls)[cells[:, 0], cells[:, 1]].any()
    grid = np.asarray(obs).reshape(500, 3, 5, 7)
    assert (grid[:, 0].sum((1, 2)) == 1).all() and (grid[:, 1].sum((1, 2)) == 2).all()
    assert (grid[:, 2].sum((1, 2)) == 2).all() and s.obj_active.all()


def test_auto_reset_on_termination_and_truncation():
    env = GridWorld(LAYOUTS["small_sparse"])  # term prob 1: collecting ends the episode
    p = env.default_params
    s = state([2, 2], [[2, 3], [0, 0], [4, 6]])
    obs, s2, reward, terminated, truncated, _ = env.step(jax.random.PRNGKey(0), s, 4, p)
    assert float(reward) == 1.0 and bool(terminated) and int(s2.time) == 0 and s2.obj_active.all()
    s = s.replace(time=49)
    _, s2, _, terminated, truncated, _ = env.step(jax.random.PRNGKey(0), s, 0, p)
    assert bool(truncated) and not bool(terminated) and int(s2.time) == 0


def test_jit_and_vmap_over_a_batch_of_params():
    env = GridWorld(LAYOUTS["dense"])
    base = env.default_params
    batch = jax.tree.map(lambda x: jnp.stack([x, x]), base)
    batch = batch.replace(type_rewards=jnp.array([[1.0, -1, -1], [-1.0, 1, -1]]))
    keys = jax.random.split(jax.random.PRNGKey(0), 2)
    obs, s = jax.jit(jax.vmap(env.reset))(keys, batch)
    obs, s, r, term, trunc, _ = jax.jit(jax.vmap(env.step))(keys, s, jnp.array([1, 2]), batch)
    assert obs.shape == (2, 4 * 121) and r.shape == (2,)


def test_bad_layout_is_rejected():
    with pytest.raises(ValueError, match="same length"):
        GridLayout("x", ("...", ".."), (ObjectType(1, 1.0, 0.0, 0.0),), 10)
    with pytest.raises(ValueError, match="not enough free cells"):
        GridLayout("x", ("#.",), (ObjectType(1, 1.0, 0.0, 0.0),), 10)
