"""Grid-world dynamics checked against their definition: walls and the map edge block moves, a
reward is paid once per collection, and termination / respawn frequencies match their
probabilities in Monte Carlo over N_MC vmapped samples, within 4 standard errors
(sqrt(p (1 - p) / N_MC)), which a correct implementation fails with probability ~6e-5 per check."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from symla.envs.gridworld import LAYOUTS, EnvState, GridLayout, GridWorld, ObjectType, swap_type_rewards

N_MC = 20000
KEY = jax.random.PRNGKey(0)


@functools.cache
def make(layout_name):
    """The env and its step_env jitted once (action traced), so a test file compiles each once."""
    env = GridWorld(LAYOUTS[layout_name])
    return env, jax.jit(env.step_env)


def state(agent, objs, active=None, time=0):
    objs = jnp.array(objs, jnp.int32).reshape(-1, 2)
    active = jnp.ones(len(objs), bool) if active is None else jnp.array(active)
    return EnvState(agent_pos=jnp.array(agent, jnp.int32), obj_pos=objs, obj_active=active, time=time)


def positions_after_each_action(layout_name, agent, objs):
    env, step = make(layout_name)
    params = env.default_params.replace(type_respawn_probs=jnp.zeros(env.num_types))
    actions = jnp.arange(env.num_actions)
    _, s, *_ = jax.vmap(step, in_axes=(None, None, 0, None))(KEY, state(agent, objs), actions, params)
    return [tuple(p) for p in np.asarray(s.agent_pos).tolist()]


def within_4se(freq, p, n):
    return abs(freq - p) <= 4 * np.sqrt(p * (1 - p) / n) + 1e-9


# small_walls has walls at (1, 2), (2, 2), (2, 4), (3, 4); the objects sit out of the way.
FAR = [[0, 5], [0, 6], [4, 0], [4, 1]]


@pytest.mark.parametrize("agent,expected", [
    # actions: stay, up, down, left, right, up-left, up-right, down-left, down-right
    ((1, 1), [(1, 1), (0, 1), (2, 1), (1, 0), (1, 1), (0, 0), (0, 2), (2, 0), (1, 1)]),  # right, down-right: walls
    # right, up-left, up-right: walls
    ((3, 3), [(3, 3), (2, 3), (4, 3), (3, 2), (3, 3), (3, 3), (3, 3), (4, 2), (4, 4)]),
    ((4, 6), [(4, 6), (3, 6), (4, 6), (4, 5), (4, 6), (3, 5), (4, 6), (4, 6), (4, 6)]),  # corner: off the map
    ((0, 3), [(0, 3), (0, 3), (1, 3), (0, 2), (0, 4), (0, 3), (0, 3), (0, 3), (1, 4)]),  # top edge; down-left: wall
])
def test_walls_and_map_edge_block_nine_moves(agent, expected):
    assert positions_after_each_action("small_walls", agent, FAR) == expected


@pytest.mark.parametrize("agent,expected", [
    ((2, 2), [(2, 2), (1, 2), (3, 2), (2, 1), (2, 3)]),
    ((0, 0), [(0, 0), (0, 0), (1, 0), (0, 0), (0, 1)]),
    ((4, 4), [(4, 4), (3, 4), (4, 4), (4, 3), (4, 4)]),
])
def test_five_move_layout_moves_on_axes_only(agent, expected):
    env, _ = make("tiny")
    assert env.num_actions == 5 and env.action_space().n == 5 and env.obs_size == 75
    assert positions_after_each_action("tiny", agent, [[0, 4], [4, 0]]) == expected


def test_reward_is_paid_once_per_collection():
    env, step = make("small")  # objects 0, 1: type 0 (+1); objects 2, 3: type 1 (-1)
    p = env.default_params.replace(type_respawn_probs=jnp.zeros(2), type_term_probs=jnp.zeros(2))
    s = state([2, 2], [[2, 3], [0, 0], [4, 6], [4, 5]])
    obs, s, reward, term, info = step(KEY, s, 4, p)  # right, onto object 0
    assert float(reward) == 1.0 and not bool(term)
    assert np.asarray(s.obj_active).tolist() == [False, True, True, True]
    assert np.asarray(info["collected"]).tolist() == [True, False, False, False]
    grid = np.asarray(obs).reshape(3, 5, 7)
    assert grid[0, 2, 3] == 1 and grid[1].sum() == 1 and grid[1, 2, 3] == 0  # collected one not shown
    for k in range(3):  # staying on the cell pays nothing any more
        _, s, reward, *_ = step(jax.random.PRNGKey(k + 1), s, 0, p)
        assert float(reward) == 0.0
    s = state([2, 2], [[0, 0], [0, 1], [2, 1], [4, 5]])  # object 2 (type 1, -1) to the left
    assert float(step(KEY, s, 3, p)[2]) == -1.0
    assert float(step(KEY, s, 3, swap_type_rewards(p))[2]) == 1.0
    assert float(step(KEY, s, 1, p)[2]) == 0.0  # moving elsewhere collects nothing


@pytest.mark.parametrize("term_prob", [0.0, 0.3, 1.0])
def test_termination_frequency_matches_probability(term_prob):
    env, step = make("small")
    p = env.default_params.replace(type_term_probs=jnp.array([term_prob, 0.0]))
    s = state([2, 2], [[2, 3], [0, 0], [4, 6], [4, 5]])
    keys = jax.random.split(KEY, N_MC)
    many = jax.vmap(step, in_axes=(0, None, None, None))
    collect = many(keys, s, 4, p)[3]  # onto object 0, type 0
    miss = many(keys, s, 1, p)[3]  # up: nothing there
    assert within_4se(float(collect.mean()), term_prob, N_MC)
    assert not miss.any()  # no collection, no termination


def test_respawn_frequency_per_type_and_cells_are_uniform_and_free():
    env, step = make("small_walls")
    probs = (0.2, 0.6)
    p = env.default_params.replace(type_respawn_probs=jnp.array(probs), type_term_probs=jnp.zeros(2))
    # object 0 (type 0) and object 2 (type 1) were collected earlier; the agent stays put
    agent, active_cells = (0, 0), [(4, 6), (0, 4)]
    s = state(agent, [[0, 1], active_cells[0], [0, 2], active_cells[1]], active=[False, True, False, True])
    _, s2, reward, *_ = jax.vmap(step, in_axes=(0, None, None, None))(jax.random.split(KEY, N_MC), s, 0, p)
    act, pos = np.asarray(s2.obj_active), np.asarray(s2.obj_pos)
    assert not reward.any() and act[:, [1, 3]].all()
    allowed = {(r, c) for r, c in np.argwhere(~env.walls)} - {agent, *active_cells}
    assert len(allowed) == 31 - 3
    for i, prob in ((0, probs[0]), (2, probs[1])):
        assert within_4se(act[:, i].mean(), prob, N_MC)
        landed = pos[act[:, i], i]
        cells, counts = np.unique(landed, axis=0, return_counts=True)
        assert {tuple(c) for c in cells.tolist()} == allowed  # never a wall, the agent or an active object
        # uniform over the allowed cells: each cell's share within 4 standard errors of 1/28
        q, n = 1 / len(allowed), len(landed)
        assert all(within_4se(c / n, q, n) for c in counts)
        assert (pos[~act[:, i], i] == s.obj_pos[i]).all()  # not respawned: untouched
    both = act[:, 0] & act[:, 2]
    assert both.sum() > 1000 and not (pos[both, 0] == pos[both, 2]).all(1).any()  # never the same cell


def test_collected_object_does_not_respawn_in_the_same_step():
    env, step = make("small")
    p = env.default_params.replace(type_respawn_probs=jnp.ones(2), type_term_probs=jnp.zeros(2))
    s = state([2, 2], [[2, 3], [0, 0], [4, 6], [4, 5]])
    _, s, *_ = step(KEY, s, 4, p)
    assert not bool(s.obj_active[0])
    _, s, reward, *_ = step(jax.random.PRNGKey(1), s, 0, p)  # respawn prob 1: back next step...
    assert bool(s.obj_active.all()) and s.obj_pos[0].tolist() != [2, 3]  # ...but not under the agent
    assert float(reward) == 0.0


def test_reset_places_everything_on_distinct_free_cells():
    env, _ = make("small_walls")
    n = 2000
    obs, s = jax.vmap(env.reset, in_axes=(0, None))(jax.random.split(KEY, n), env.default_params)
    cells = np.concatenate([np.asarray(s.agent_pos)[:, None], np.asarray(s.obj_pos)], 1)  # [n, 5, 2]
    flat = cells[..., 0] * env.width + cells[..., 1]
    assert (np.sort(flat, 1)[:, 1:] != np.sort(flat, 1)[:, :-1]).all()  # distinct
    assert not env.walls[cells[..., 0], cells[..., 1]].any() and bool(s.obj_active.all())
    assert (np.asarray(s.time) == 0).all()
    grid = np.asarray(obs).reshape(n, 3, 5, 7)
    assert set(np.unique(grid)) == {0.0, 1.0}
    assert (grid.sum((2, 3)) == [1, 2, 2]).all()  # 1 agent bit, `count` bits per type
    # the agent's start is uniform over the 31 free cells (each within 4 standard errors)
    counts = np.bincount(flat[:, 0], minlength=35)[~env.walls.reshape(-1)]
    assert all(within_4se(c / n, 1 / 31, n) for c in counts)


def test_auto_reset_on_termination_and_truncation():
    env, _ = make("small_sparse")  # term prob 1: collecting ends the episode; 50 steps
    p = env.default_params
    s = state([2, 2], [[2, 3], [0, 0], [4, 6]], time=7)
    _, reset_state = env.reset(jax.random.split(KEY)[1], p)  # the base step resets with this key
    obs, s2, reward, terminated, truncated, info = env.step(KEY, s, 4, p)
    assert float(reward) == 1.0 and bool(terminated) and not bool(truncated)
    assert jax.tree.all(jax.tree.map(jnp.array_equal, s2, reset_state))
    assert np.asarray(info["final_observation"]).reshape(3, 5, 7)[0, 2, 3] == 1  # pre-reset obs kept
    _, s2, _, terminated, truncated, _ = env.step(KEY, s.replace(time=48), 0, p)
    assert not bool(truncated) and int(s2.time) == 49
    _, s2, _, terminated, truncated, _ = env.step(KEY, s2, 0, p)
    assert bool(truncated) and not bool(terminated)
    assert jax.tree.all(jax.tree.map(jnp.array_equal, s2, reset_state))


def test_jit_and_vmap_over_a_batch_of_params():
    env = GridWorld(LAYOUTS["dense"])
    assert env.obs_size == 4 * 11 * 11 and env.num_types == 3
    base = env.default_params
    batch = jax.tree.map(lambda *x: jnp.stack(x), base, swap_type_rewards(base), swap_type_rewards(base, 0, 2))
    keys = jax.random.split(KEY, 3)
    obs, s = jax.jit(jax.vmap(env.reset))(keys, batch)
    assert obs.shape == (3, env.obs_size)
    # the same state in every task: stepping onto object 0 (type 0) pays that task's type-0 reward
    s = jax.tree.map(lambda x: jnp.stack([x] * 3), state([5, 5], [[5, 6], [0, 0], [10, 10], [0, 10]]))
    obs, s, r, term, trunc, _ = jax.jit(jax.vmap(env.step))(keys, s, jnp.array([4, 4, 4]), batch)
    assert obs.shape == (3, env.obs_size) and r.tolist() == [1.0, -1.0, -1.0]
    assert batch.type_rewards[1].tolist() == [-1.0, 1.0, -1.0]


def test_layouts_are_hashable_and_bad_layouts_are_rejected():
    assert len({hash(layout) for layout in LAYOUTS.values()}) == len(LAYOUTS)
    sizes = {n: GridWorld(layout).obs_size for n, layout in LAYOUTS.items()}
    assert {n: sizes[n] for n in ("small", "small_sparse", "dense", "tiny", "small_walls", "ego", "corridor")} == {
        "small": 105, "small_sparse": 105, "dense": 484, "tiny": 75, "small_walls": 105, "ego": 6, "corridor": 4}
    for name, layout in LAYOUTS.items():  # the size without JAX (symla.envs.catalog) is what the env emits
        obs, _ = GridWorld(layout).reset(jax.random.PRNGKey(0))
        assert obs.shape == (layout.obs_size,) == (sizes[name],), name
    with pytest.raises(ValueError, match="same length"):
        GridLayout("x", ("...", ".."), (ObjectType(1, 1.0, 0.0, 0.0),), 10)
    with pytest.raises(ValueError, match="not enough free cells"):
        GridLayout("x", ("#.",), (ObjectType(1, 1.0, 0.0, 0.0),), 10)
    with pytest.raises(ValueError, match="moves"):
        GridLayout("x", ("...",), (ObjectType(1, 1.0, 0.0, 0.0),), 10, moves=4)


def test_directions_observation_is_the_compact_one_as_four_binary_inputs_per_type():
    """(up, left, down, right) per type: 1 where the compact sign of (row, col) is -1 / +1."""
    import dataclasses

    compact = GridWorld(LAYOUTS["ego"])
    directions = GridWorld(dataclasses.replace(LAYOUTS["ego"], name="ego_directions", observation="directions"))
    for seed in range(5):
        _, s = compact.reset(jax.random.PRNGKey(seed))
        sign = np.asarray(compact.get_obs(s)).reshape(-1, 2)
        expected = np.concatenate([sign < 0, sign > 0], -1).astype(np.float32).reshape(-1)
        np.testing.assert_array_equal(np.asarray(directions.get_obs(s)), expected)


def test_compact_observation_is_the_sign_of_the_offset_to_the_nearest_active_object_of_each_type():
    """ego: types 0 (2 objects), 1 (2 objects), 2 (1 object); 2 inputs per type, (row, col)."""
    env = GridWorld(LAYOUTS["ego"])
    assert env.obs_size == 6 and env.num_actions == 5
    # type 0 at (0, 0) [dist 4] and (2, 4) [dist 2]; type 1 at (4, 1) inactive and (2, 1) [dist 1];
    # type 2 at (2, 2): on the agent's cell (offset 0, 0: seen as "nothing to go to").
    s = state((2, 2), [[0, 0], [2, 4], [4, 1], [2, 1], [2, 2]], active=[True, True, False, True, True])
    np.testing.assert_array_equal(np.asarray(env.get_obs(s)), [0, 1, 0, -1, 0, 0])
    s = state((2, 2), [[0, 0], [2, 4], [4, 1], [2, 1], [4, 4]], active=[True, False, True, False, False])
    np.testing.assert_array_equal(np.asarray(env.get_obs(s)), [-1, -1, 1, -1, 0, 0])  # type 2 absent: 0, 0


def test_ego_types_have_different_dynamics_so_the_swap_is_more_than_a_permutation():
    types = LAYOUTS["ego"].object_types
    assert len(types) >= 3 and (types[0].count, types[0].respawn_prob) != (types[1].count, types[1].respawn_prob)
    assert types[0].reward > 0 > types[1].reward


def test_homes_fix_the_reset_and_the_task_decides_which_side_pays():
    """'lane': the agent starts in the middle, the +1 object on one end and the -1 object on the
    other; which end is drawn once per lifetime (home_swap), so it is fixed within a lifetime."""
    from symla.envs.splits import make_split

    env = GridWorld(LAYOUTS["lane"])
    params = env.default_params
    for swap, good_col in ((False, 2), (True, 0)):
        _, s = env.reset(jax.random.PRNGKey(3), params.replace(home_swap=jnp.array(swap)))
        assert s.agent_pos.tolist() == [0, 1] and s.obj_pos[0].tolist() == [0, good_col]
    split = make_split("gridworld-lane")
    swaps = [bool(split.sample_task(k).env_params.home_swap) for k in jax.random.split(jax.random.PRNGKey(0), 64)]
    assert 16 < sum(swaps) < 48
    with pytest.raises(ValueError, match="homes must be distinct free cells"):
        GridLayout("x", ("...",), (ObjectType(1, 1.0, 1.0, 1.0),), 10, moves=5, homes=((0, 1), (0, 1)))


def test_corridor_moves_are_left_and_right_and_only_in_one_row():
    env = GridWorld(LAYOUTS["line"])
    assert env.num_actions == 2
    s = EnvState(agent_pos=jnp.array([0, 0]), obj_pos=jnp.array([[0, 5], [0, 6], [0, 7], [0, 4], [0, 3]]),
                 obj_active=jnp.zeros((5,), bool), time=0)
    params = env.default_params.replace(type_respawn_probs=jnp.zeros(3))
    _, s1, *_ = env.step_env(jax.random.PRNGKey(0), s, 0, params)  # left at the wall: blocked
    _, s2, *_ = env.step_env(jax.random.PRNGKey(0), s, 1, params)
    assert s1.agent_pos.tolist() == [0, 0] and s2.agent_pos.tolist() == [0, 1]
    with pytest.raises(ValueError, match="one-row corridor"):
        GridLayout("x", ("...", "..."), (ObjectType(1, 1.0, 0.0, 0.0),), 10, moves=2)


def test_fork_ends_are_redrawn_every_episode_and_objects_without_a_home_land_off_the_homes():
    """fork7x: agent in the middle, the +1 and -1 objects on the two ends, exchanged at every reset
    with episode_swap 1/2 (on top of the lifetime's home_swap); the bonus object has no home and
    lands uniformly on the four other cells. fork3z has no episode_swap: the ends stay put."""
    env, n = GridWorld(LAYOUTS["fork7x"]), N_MC // 4
    _, s = jax.vmap(env.reset, in_axes=(0, None))(jax.random.split(KEY, n), env.default_params)
    agent, objs = np.asarray(s.agent_pos), np.asarray(s.obj_pos)
    assert (agent == [0, 3]).all()
    left = objs[:, 0, 1] == 0
    assert within_4se(left.mean(), 0.5, n) and (objs[left, 1, 1] == 6).all() and (objs[~left, :2, 1] == [6, 0]).all()
    bonus = objs[:, 2, 1]
    cells, counts = np.unique(bonus, return_counts=True)
    assert cells.tolist() == [1, 2, 4, 5] and all(within_4se(c / n, 0.25, n) for c in counts)
    fixed = GridWorld(LAYOUTS["fork3z"])
    _, s = jax.vmap(fixed.reset, in_axes=(0, None))(jax.random.split(KEY, 256), fixed.default_params)
    assert (np.asarray(s.obj_pos)[:, :, 1] == [0, 2]).all()
    with pytest.raises(ValueError, match="episode_swap is a probability and needs homes"):
        GridLayout("x", ("...",), (ObjectType(1, 1.0, 1.0, 1.0),), 10, moves=2, episode_swap=0.5)


def test_objects_reappear_in_place_once_the_agent_has_left_the_cell():
    """quad7h (respawn_in_place): an object collected at the wall end stays away while the agent
    stands on its cell (moving into the wall), and reappears there, not elsewhere, once it leaves."""
    env = GridWorld(LAYOUTS["quad7h"])
    p = env.default_params  # respawn probability 1 for every type; type 0 (+1) never terminates
    s = state((0, 1), [[0, 0], [0, 3], [0, 4], [0, 6]])
    _, s, reward, term, _ = env.step_env(KEY, s, 0, p)  # left: onto object 0
    assert float(reward) == 1.0 and not bool(term) and not bool(s.obj_active[0])
    _, s, reward, *_ = env.step_env(jax.random.PRNGKey(1), s, 0, p)  # left again: the wall, still on it
    assert s.agent_pos.tolist() == [0, 0] and not bool(s.obj_active[0]) and float(reward) == 0.0
    _, s, *_ = env.step_env(jax.random.PRNGKey(2), s, 1, p)  # right: the cell is free again
    assert bool(s.obj_active[0]) and s.obj_pos[0].tolist() == [0, 0]


def test_negated_split_negates_every_reward_and_swapped_exchanges_the_first_two():
    from symla.envs.splits import make_split

    rewards = {name: make_split(name).sample_env_params(KEY).type_rewards.tolist()
               for name in ("gridworld-quad7b", "gridworld-quad7b-swapped", "gridworld-quad7b-negated")}
    rewards["gridworld-quad7b-swapped23"] = (make_split("gridworld-quad7b-swapped23")
                                             .sample_env_params(KEY).type_rewards.tolist())
    assert rewards == {"gridworld-quad7b": [1.0, -1.0, 1.0, -1.0], "gridworld-quad7b-swapped": [-1.0, 1.0, 1.0, -1.0],
                       "gridworld-quad7b-negated": [-1.0, 1.0, -1.0, 1.0],
                       "gridworld-quad7b-swapped23": [1.0, -1.0, -1.0, 1.0]}
    from symla.envs.catalog import UnknownSplitError
    with pytest.raises(UnknownSplitError, match="needs a layout with 4 object types"):
        make_split("gridworld-fork3p-swapped23")


@pytest.mark.parametrize("layout", ["quad7b", "quad7r"])
def test_quad_dynamics_do_not_predict_reward_and_the_swap_changes_which_dynamics_pay(layout):
    """The claim-3 worlds: each (termination, respawn) pair occurs once with +1 and once with -1, so
    no dynamics cue says what pays; after the swap the multiset of (reward, dynamics) differs, so
    the swapped world is no channel permutation of the training world."""
    types = LAYOUTS[layout].object_types
    dynamics = [(t.term_prob, t.respawn_prob) for t in types]
    assert all(sorted(t.reward for t, d in zip(types, dynamics) if d == dyn) == [-1.0, 1.0] for dyn in dynamics)
    swapped = [(-t.reward if i < 2 else t.reward, d) for i, (t, d) in enumerate(zip(types, dynamics))]
    assert sorted(swapped) != sorted((t.reward, d) for t, d in zip(types, dynamics))


def test_wind_pushes_one_more_cell_with_its_probability_and_walls_stop_it():
    """sway7: after the agent's own move the wind pushes it one more cell in the episode's
    direction with probability 0.5 (Monte Carlo within 4 s.e.), never through the map's edge, and
    a push onto a punishing end collects it."""
    env, step = make("sway7")
    params = env.default_params
    s = state((0, 3), [[0, 0], [0, 6]]).replace(wind=jnp.array([0, 1], jnp.int32))  # wind to the right
    keys = jax.random.split(KEY, N_MC)
    moved = jax.vmap(step, in_axes=(0, None, None, None))(keys, s, 0, params)[1].agent_pos  # action 0: left
    cols = np.asarray(moved)[:, 1]
    assert set(cols.tolist()) == {2, 3} and within_4se((cols == 3).mean(), 0.5, N_MC)
    at_edge = state((0, 5), [[0, 0], [0, 3]]).replace(wind=jnp.array([0, 1], jnp.int32))
    cols = np.asarray(jax.vmap(step, in_axes=(0, None, None, None))(keys, at_edge, 1, params)[1].agent_pos)[:, 1]
    assert set(cols.tolist()) == {6}  # moved right to the edge; the push is blocked there
    _, _, reward, done, _ = jax.vmap(step, in_axes=(0, None, None, None))(
        keys, state((0, 4), [[0, 0], [0, 6]]).replace(wind=jnp.array([0, 1], jnp.int32)), 1, params)
    assert within_4se((np.asarray(reward) == -1).mean(), 0.5, N_MC)  # pushed onto the end half the time
    assert (np.asarray(done) == (np.asarray(reward) == -1)).all()


def test_wind_direction_is_drawn_every_episode_and_layouts_without_wind_draw_nothing_more():
    env = GridWorld(LAYOUTS["sway7"])
    winds = np.asarray(jax.vmap(lambda k: env.reset_env(k, env.default_params)[1].wind)(jax.random.split(KEY, 2000)))
    assert {tuple(w) for w in winds.tolist()} == {(0, -1), (0, 1)}
    assert within_4se((winds[:, 1] == 1).mean(), 0.5, 2000)
    calm = GridWorld(LAYOUTS["fork3p"])  # no wind: the state's wind is 0 and resets are as before
    _, s = calm.reset_env(KEY, calm.default_params)
    assert np.asarray(s.wind).tolist() == [0, 0]


def test_sway_cannot_be_survived_without_looking_and_can_by_stepping_away_from_the_nearer_end():
    """Alternating moves drift into an end within a few steps; the reference policy (step away
    from the nearer punishing object) never reaches one."""
    import dataclasses as dc

    from symla.envs.splits import make_split
    from symla.learners import FixedPolicy
    from symla.learners.reference import reference_policy
    from symla.rollout import run_lifetimes

    @dc.dataclass(frozen=True)
    class Alternate(FixedPolicy):
        def step(self, params, state, obs, prev_action, reward):
            return jnp.where(prev_action.sum() > 0, 30.0 * (1 - 2 * prev_action), 0.0), state

    split = make_split("gridworld-sway7")
    keys = jax.random.split(KEY, 64)
    alternate = float(run_lifetimes(Alternate(), split, {}, keys, 200).fitness.mean())
    policy, twin = reference_policy(split)
    reference = float(run_lifetimes(policy, twin, {}, keys, 200).fitness.mean())
    assert alternate < -10 and reference == 0.0, (alternate, reference)


def test_downhill_wind_pushes_away_from_the_home_cell_and_at_random_on_it():
    """sway7d (home (0, 3), push probability 1/2): off the home cell the push goes outward, on it
    left or right at random."""
    env, step = make("sway7d")
    keys = jax.random.split(KEY, N_MC)

    def final_cols(agent, objs, action):
        out = jax.vmap(step, in_axes=(0, None, None, None))(keys, state(agent, objs), action, env.default_params)
        return np.asarray(out[1].agent_pos)[:, 1]

    cols = final_cols((0, 4), [[0, 0], [0, 1]], 1)  # right to 5, then pushed outward to 6
    assert set(cols.tolist()) == {5, 6} and within_4se((cols == 6).mean(), 0.5, N_MC)
    cols = final_cols((0, 2), [[0, 5], [0, 6]], 0)  # left to 1, then pushed outward to 0
    assert set(cols.tolist()) == {0, 1} and within_4se((cols == 0).mean(), 0.5, N_MC)
    cols = final_cols((0, 2), [[0, 0], [0, 6]], 1)  # right onto the home cell: a push either way
    assert set(cols.tolist()) == {2, 3, 4} and within_4se((cols == 3).mean(), 0.5, N_MC)
    assert within_4se((cols == 2).mean(), 0.25, N_MC) and within_4se((cols == 4).mean(), 0.25, N_MC)


def test_slips_replace_the_move_with_a_random_one_at_their_rate():
    layout = GridLayout("x", (".......",), (ObjectType(1, 1.0, 0.0, 0.0),), 10, moves=2, slip=0.25)
    env = GridWorld(layout)
    out = jax.vmap(env.step_env, in_axes=(0, None, None, None))(
        jax.random.split(KEY, N_MC), state((0, 3), [[0, 6]]), 1, env.default_params)
    cols = np.asarray(out[1].agent_pos)[:, 1]  # right, unless a slip draws left (1/4 x 1/2)
    assert set(cols.tolist()) == {2, 4} and within_4se((cols == 2).mean(), 0.125, N_MC)
    with pytest.raises(ValueError, match="slip is a probability"):
        GridLayout("x", (".......",), (ObjectType(1, 1.0, 0.0, 0.0),), 10, moves=2, slip=2.0)


def test_three_move_corridors_stay_left_and_right():
    layout = GridLayout("x", (".....",), (ObjectType(1, 1.0, 0.0, 0.0),), 10, moves=3)
    assert layout.move_offsets == ((0, 0), (0, -1), (0, 1))
    env = GridWorld(layout)
    s = state((0, 2), [[0, 4]])
    assert [env.step_env(KEY, s, a, env.default_params)[1].agent_pos.tolist() for a in range(3)] == \
        [[0, 2], [0, 1], [0, 3]]
    with pytest.raises(ValueError, match="one-row corridor"):
        GridLayout("x", ("...", "..."), (ObjectType(1, 1.0, 0.0, 0.0),), 10, moves=3)


def test_reference_flees_the_nearest_punishing_object_whatever_the_observation():
    """Under wind the reference steps away from the nearer end, read from real-valued offsets or
    from nearness (sign / distance, where a large input is near)."""
    from symla.envs.splits import make_split
    from symla.learners.reference import reference_policy
    from symla.rollout import run_lifetimes

    for name in ("gridworld-sway7d", "gridworld-sway7dn", "gridworld-sway7dn3"):
        policy, twin = reference_policy(make_split(name))
        assert float(run_lifetimes(policy, twin, {}, jax.random.split(KEY, 32), 200).fitness.mean()) == 0.0, name


def test_inertia_moves_by_the_velocity_first_then_the_action_changes_it_and_walls_stop_the_cart():
    """Explicit Euler, as CartPole: the move uses the velocity before this step's action, the
    action then adds -1 or +1 (clipped to the speed limit), a wall stops the cart (velocity 0),
    and the velocity over the limit is the observation's last input."""
    layout = GridLayout("x", (".........",), (ObjectType(1, 0.0, 0.0, 0.0),), 100, moves=2,
                        observation="nearness", inertia=2)
    env = GridWorld(layout)
    params = env.default_params.replace(type_respawn_probs=jnp.zeros(1))
    s = state((0, 4), [[0, 0]])
    trace = []
    for action in (1, 1, 1, 0, 0, 0, 0, 0, 0, 1):  # right x3, then left into the wall at column 0
        obs, s, *_ = env.step_env(KEY, s, action, params)
        trace.append((int(s.agent_pos[1]), int(s.velocity), float(obs[-1])))
    assert trace == [(4, 1, 0.5), (5, 2, 1.0), (7, 2, 1.0),
                     (8, -1, -0.5),  # the second cell (9) is off the corridor: stopped, then pushed left
                     (7, -2, -1.0), (5, -2, -1.0), (3, -2, -1.0), (1, -2, -1.0),
                     (0, -1, -0.5),  # the wall stops it at 0 (velocity 0), then the action: -1
                     (0, 1, 0.5)]  # into the wall again: stopped (0), then the action: +1
    for bad in ({"moves": 5, "inertia": 2}, {"moves": 2, "inertia": -1}):
        with pytest.raises(ValueError, match="inertia is a maximum speed"):
            GridLayout("x", (".........",), (ObjectType(1, 0.0, 0.0, 0.0),), 100, **bad)
