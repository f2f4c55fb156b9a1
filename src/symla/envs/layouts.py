"""Grid-world layouts: static maps, object types and observation kinds, without JAX.

They are plain frozen dataclasses so that params.yaml can be validated (and a workflow parsed)
without importing JAX; symla.envs.gridworld turns a layout into a gymnax environment.
"""

import dataclasses
import re

# Action 0 stays; then the 4 axis moves (up, down, left, right); then the 4 diagonals, which only
# layouts with moves=9 use. (row, col) offsets. Corridors (one row) may use moves=2: left, right;
# or moves=3: stay, left, right.
MOVES = ((0, 0), (-1, 0), (1, 0), (0, -1), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1))
CORRIDOR_MOVES = {2: ((0, -1), (0, 1)), 3: ((0, 0), (0, -1), (0, 1))}


@dataclasses.dataclass(frozen=True)
class ObjectType:
    """``count`` objects paying ``reward`` on collection, ending the episode with ``term_prob``
    and reappearing each step they are absent with ``respawn_prob``."""

    count: int
    reward: float
    term_prob: float
    respawn_prob: float


OBSERVATIONS = ("map", "compact", "offsets", "directions", "nearness")


@dataclasses.dataclass(frozen=True)
class GridLayout:
    """A static map ('#' wall, '.' free; moving off the map is blocked like a wall), its object
    types and episode length. Frozen and hashable because the env is a static jit argument."""

    name: str
    rows: tuple[str, ...]
    object_types: tuple[ObjectType, ...]
    max_steps: int
    moves: int = 9
    observation: str = "map"  # "map": LPG's binary map; "compact": egocentric offsets (below)
    # Fixed reset cells ((row, col) of the agent, then of the first two or more objects; any other
    # object resets on a random free cell) instead of random ones;
    # each lifetime's task then exchanges the first two objects' cells with probability 1/2
    # (a curriculum stage: which side pays is fixed within a lifetime, random across lifetimes).
    homes: tuple = ()
    # With homes: the probability that an episode's reset exchanges the first two objects' cells
    # relative to the lifetime's arrangement (0: fixed for the lifetime; 0.5: drawn afresh every
    # episode, so only the observation says which side pays).
    episode_swap: float = 0.0
    # A collected object reappears (with its respawn probability) on its own cell once that cell is
    # free, instead of on a random free cell (with homes: the homed objects only).
    respawn_in_place: bool = False
    # [ours] Probability per step that the agent is pushed one more cell in the episode's wind
    # direction (drawn at every reset among the layout's moves), after its own move and before it
    # collects: a drift that no fixed sequence of moves cancels, so staying away from punishing
    # objects takes acting on the observation.
    wind: float = 0.0
    # [ours] Where the push goes: "steady", one direction drawn per episode; "gusts", a direction
    # drawn afresh at every step; "downhill", away from the agent's home cell (homes[0]) along the
    # larger offset from it, at random on the home cell itself: an unstable balance point, as a
    # pole's, where every step off it makes the next push outward.
    wind_mode: str = "steady"
    # [ours] Probability that the agent's move is replaced by a uniformly random one (a slip), so
    # that no single outcome says for sure which action does what.
    slip: float = 0.0
    # [ours] Corridors: with inertia k > 0 the agent has a velocity in [-k, k] cells per step; each
    # step it first moves by it (a wall stops it and its velocity), then its action changes it by
    # one (left -1, right +1). The observation gains one input, velocity / k. As with a cart (and
    # CartPole), the action of the step that crashes does not matter: what caused it came earlier.
    inertia: int = 0

    def __post_init__(self):
        if not self.rows or len({len(r) for r in self.rows}) != 1:
            raise ValueError(f"layout {self.name!r}: every row must have the same length")
        if set("".join(self.rows)) - set("#."):
            raise ValueError(f"layout {self.name!r}: rows may only contain '#' and '.'")
        if self.moves not in (2, 3, 5, 9) or (self.moves in CORRIDOR_MOVES and len(self.rows) != 1):
            raise ValueError(f"layout {self.name!r}: moves must be 5 or 9 (or, in a one-row corridor, 2: left and "
                             "right, or 3: stay, left and right)")
        if self.observation not in OBSERVATIONS:
            raise ValueError(f"layout {self.name!r}: observation must be one of {', '.join(OBSERVATIONS)}")
        # Reset needs a distinct cell for the agent and every object; this also guarantees that
        # a respawning object always finds a free cell.
        free = sum(r.count(".") for r in self.rows)
        if free < 1 + sum(t.count for t in self.object_types):
            raise ValueError(f"layout {self.name!r}: not enough free cells for the agent and objects")
        if not 0.0 <= self.episode_swap <= 1.0 or (self.episode_swap and not self.homes):
            raise ValueError(f"layout {self.name!r}: episode_swap is a probability and needs homes")
        if not 0.0 <= self.slip <= 1.0:
            raise ValueError(f"layout {self.name!r}: slip is a probability")
        if self.inertia < 0 or (self.inertia and (self.moves != 2 or self.observation == "map")):
            raise ValueError(f"layout {self.name!r}: inertia is a maximum speed for 2-move corridors with an "
                             "egocentric observation")
        if not 0.0 <= self.wind <= 1.0 or self.wind_mode not in ("steady", "gusts", "downhill") \
                or (self.wind_mode == "downhill" and not self.homes):
            raise ValueError(f"layout {self.name!r}: wind is a probability; wind_mode is steady, gusts or "
                             "downhill (which needs homes)")
        if self.homes and (not 3 <= len(self.homes) <= 1 + sum(t.count for t in self.object_types)
                           or len(set(self.homes)) != len(self.homes)
                           or any(self.rows[r][c] != "." for r, c in self.homes)):
            raise ValueError(f"layout {self.name!r}: homes must be distinct free cells, one for the agent "
                             "and one for each of the first two or more objects")

    @property
    def height(self) -> int:
        return len(self.rows)

    @property
    def width(self) -> int:
        return len(self.rows[0])

    @property
    def move_offsets(self) -> tuple:
        """(row, col) offset of every action."""
        return CORRIDOR_MOVES.get(self.moves) or MOVES[: self.moves]

    @property
    def obs_shape(self) -> tuple[int, ...]:
        types = len(self.object_types)
        shape = {"map": (1 + types, self.height, self.width), "compact": (types, 2), "offsets": (types, 2),
                 "directions": (types, 4), "nearness": (types, 2)}[self.observation]
        if self.inertia:  # the egocentric inputs, flat, then the velocity
            return (shape[0] * shape[1] + 1,)
        return shape

    @property
    def obs_size(self) -> int:
        size = 1
        for n in self.obs_shape:
            size *= n
        return size


def grid(height: int, width: int) -> tuple[str, ...]:
    """The rows of a ``height`` x ``width`` map with no walls."""
    return tuple("." * width for _ in range(height))


def kinds(*specs) -> tuple[ObjectType, ...]:
    """ObjectTypes from (count, reward, term_prob, respawn_prob) tuples."""
    return tuple(ObjectType(*s) for s in specs)


# quad7b's four kinds (+1 stays, -1 ends the episode, +1 ends it, -1 stays; all reappear at once at
# a random cell), shared by the layouts that vary its map or respawn rule.
QUAD_B_KINDS = kinds((1, 1.0, 0.0, 1.0), (1, -1.0, 1.0, 1.0), (1, 1.0, 1.0, 1.0), (1, -1.0, 0.0, 1.0))


# The layouts the experiments of params.yaml and the tests use: the LPG training layouts (Oh et al.
# 2020, appendix) and this project's own. The research workbench registers its candidates with
# register_layout (research/layouts.py), so they stay out of every stage's code.
LAYOUTS: dict[str, GridLayout] = {
    "small": GridLayout("small", grid(5, 7), kinds((2, 1.0, 0.0, 0.05), (2, -1.0, 0.5, 0.1)), 500),
    "small_sparse": GridLayout("small_sparse", grid(5, 7),
                               kinds((1, 1.0, 1.0, 1.0), (2, -1.0, 1.0, 1.0)), 50),
    # Three object types: the two -1 types differ in termination and respawn probability.
    "dense": GridLayout("dense", grid(11, 11),
                        kinds((2, 1.0, 0.0, 0.05), (1, -1.0, 0.5, 0.1), (1, -1.0, 0.0, 0.5)), 500),
    # For CPU-scale experiments: 3 x 5 x 5 = 75 inputs, 5 actions.
    "tiny": GridLayout("tiny", grid(5, 5), kinds((1, 1.0, 0.0, 0.05), (1, -1.0, 0.0, 0.05)), 100,
                       moves=5),
    # [ours] Within-lifetime learnable (quick scale, claims 3 and 4): 5x5, 5 actions, the compact
    # egocentric observation (2 inputs per type: 6), three object types with different dynamics.
    "ego": GridLayout("ego", grid(5, 5), kinds((2, 1.0, 0.0, 0.1), (2, -1.0, 0.0, 0.5), (1, -1.0, 0.5, 0.1)),
                      100, moves=5, observation="compact"),
    # [ours] Curriculum stage before "ego": a 1x4 corridor, one good and one bad object that
    # respawn at once, the same compact observation.
    "corridor": GridLayout("corridor", grid(1, 4), kinds((1, 1.0, 0.0, 1.0), (1, -1.0, 0.0, 1.0)),
                           100, moves=5, observation="compact"),
    "lane": GridLayout("lane", grid(1, 3), kinds((1, 1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)),
                       100, moves=5, observation="compact", homes=((0, 1), (0, 2), (0, 0))),
    "line": GridLayout("line", grid(1, 8), kinds((2, 1.0, 0.0, 0.5), (2, -1.0, 0.5, 0.5), (1, 1.0, 0.0, 0.1)),
                       100, moves=2, observation="compact"),
    # Research candidates [ours]: a fork. The agent starts in the middle of a corridor, a +1 and a
    # -1 object at the two ends (both end the episode); which end pays is redrawn with
    # episode_swap at every episode, so only the observation says where to go (a contextual
    # bandit with a walk: reward 1/2 - 1/2 for any policy that ignores it).
    "fork3p": GridLayout("fork3p", grid(1, 3), kinds((1, 1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                        moves=2, observation="compact", homes=((0, 1), (0, 0), (0, 2)), episode_swap=0.5),
    "fork3q": GridLayout("fork3q", grid(1, 3), kinds((1, 1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                        moves=2, observation="compact", homes=((0, 1), (0, 0), (0, 2)), episode_swap=0.25),
    "fork5p": GridLayout("fork5p", grid(1, 5), kinds((1, 1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                        moves=2, observation="compact", homes=((0, 2), (0, 0), (0, 4)), episode_swap=0.5),
    # ... and the same forks with the ends fixed for the lifetime (a bandit with a walk).
    "fork3z": GridLayout("fork3z", grid(1, 3), kinds((1, 1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                        moves=2, observation="compact", homes=((0, 1), (0, 0), (0, 2))),
    # [ours] fork7x: fork7 with different dynamics for the two end objects (the punishing one ends
    # the episode only half the time, and then reappears at a random free cell) and a third type,
    # a rare +1 bonus on a random cell of the corridor.
    "fork7x": GridLayout("fork7x", grid(1, 7), kinds((1, 1.0, 1.0, 1.0), (1, -1.0, 0.5, 1.0), (1, 1.0, 0.0, 0.1)),
                         100, moves=2, observation="compact", homes=((0, 3), (0, 0), (0, 6)), episode_swap=0.5),
    "quad7b": GridLayout("quad7b", grid(1, 7), QUAD_B_KINDS, 100, moves=2, observation="compact"),
    # [ours] quad7r: quad7b's four kinds told apart by how fast they come back instead of by ending
    # the episode (none ends it): collecting any kind never moves the agent away from the others, so
    # avoiding one kind protects no other (research candidate; on quad7b the failing seeds learned to
    # avoid the kinds that end the episode, which then hurts after the swap).
    "quad7r": GridLayout("quad7r", grid(1, 7), kinds((1, 1.0, 0.0, 1.0), (1, -1.0, 0.0, 0.1), (1, 1.0, 0.0, 0.1),
                                                           (1, -1.0, 0.0, 1.0)), 100, moves=2, observation="compact"),
    "quad7h": GridLayout("quad7h", grid(1, 7), QUAD_B_KINDS, 100, moves=2, observation="compact",
                         respawn_in_place=True),
    # [ours] "sway" corridors: a punishing object (-1, ends the episode) at each end, their sides
    # redrawn every episode, and a wind that pushes the agent one more cell toward one end (drawn
    # every episode) on half of the steps. Alternating or repeating moves drift into an end;
    # staying alive takes moving away from the nearer end, which the agent must learn from
    # punishment alone (which action goes which way is not observed): the grid-world shape of a
    # balancing task. Real-valued offsets, like a control task's observation.
    "sway7": GridLayout("sway7", grid(1, 7), kinds((1, -1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                        moves=2, observation="offsets", homes=((0, 3), (0, 0), (0, 6)), episode_swap=0.5, wind=0.5),
    # ... downhill: pushed away from the middle on half of the steps.
    "sway7d": GridLayout("sway7d", grid(1, 7), kinds((1, -1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                         moves=2, observation="offsets", homes=((0, 3), (0, 0), (0, 6)), episode_swap=0.5, wind=0.5,
                         wind_mode="downhill"),
    # ... and observed by nearness (sign / distance: 1 when adjacent), so danger is a large input.
    "sway7dn": GridLayout("sway7dn", grid(1, 7), kinds((1, -1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                          moves=2, observation="nearness", homes=((0, 3), (0, 0), (0, 6)), episode_swap=0.5,
                          wind=0.5, wind_mode="downhill"),
    # ... with three actions: stay, left, right (so CartPole's two are a new size).
    "sway7dn3": GridLayout("sway7dn3", grid(1, 7), kinds((1, -1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                           moves=3, observation="nearness", homes=((0, 3), (0, 0), (0, 6)), episode_swap=0.5,
                           wind=0.5, wind_mode="downhill"),
    # ... with inertia: a cart on a ridge (speed at most 2), observed by nearness and velocity.
    "cart9": GridLayout("cart9", grid(1, 9), kinds((1, -1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                        moves=2, observation="nearness", homes=((0, 4), (0, 0), (0, 8)), episode_swap=0.5,
                        wind=0.5, wind_mode="downhill", inertia=2),
    # "small" with interior walls, so blocked moves and wall-avoiding respawns are exercised.
    "small_walls": GridLayout("small_walls", (".......",
                                              "..#....",
                                              "..#.#..",
                                              "....#..",
                                              "......."),
                              kinds((2, 1.0, 0.0, 0.05), (2, -1.0, 0.5, 0.1)), 500),
}


def register_layout(layout: GridLayout) -> GridLayout:
    """Make ``layout`` a split name (``gridworld-<name>``, with ``-swapped``, ``-permuted`` ...)
    for this process: how research and extensions add worlds without editing the package. The
    same layout may be registered again; another one under a taken name is refused."""
    if not isinstance(layout, GridLayout):
        raise TypeError(f"register_layout takes a GridLayout, not {type(layout).__name__}")
    if not re.fullmatch(r"[a-z0-9_]+", layout.name):
        raise ValueError(f"layout name {layout.name!r}: use lower-case letters, digits and underscores")
    known = LAYOUTS.get(layout.name)
    if known is not None and known != layout:
        raise ValueError(f"a different layout is already registered as {layout.name!r}; choose another name")
    LAYOUTS[layout.name] = layout
    return layout
