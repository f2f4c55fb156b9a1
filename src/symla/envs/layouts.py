"""Grid-world layouts: static maps, object types and observation kinds, without JAX.

They are plain frozen dataclasses so that params.yaml can be validated (and a workflow parsed)
without importing JAX; symla.envs.gridworld turns a layout into a gymnax environment.
"""

import dataclasses

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


def _open(height: int, width: int) -> tuple[str, ...]:
    return tuple("." * width for _ in range(height))


def _objects(*specs) -> tuple[ObjectType, ...]:
    return tuple(ObjectType(*s) for s in specs)


# quad7b's four kinds (+1 stays, -1 ends the episode, +1 ends it, -1 stays; all reappear at once at
# a random cell), shared by the layouts that vary its map or respawn rule.
_QUAD_B = _objects((1, 1.0, 0.0, 1.0), (1, -1.0, 1.0, 1.0), (1, 1.0, 1.0, 1.0), (1, -1.0, 0.0, 1.0))


# The LPG training layouts (Oh et al. 2020, appendix), plus two small ones of our own.
LAYOUTS: dict[str, GridLayout] = {
    "small": GridLayout("small", _open(5, 7), _objects((2, 1.0, 0.0, 0.05), (2, -1.0, 0.5, 0.1)), 500),
    "small_sparse": GridLayout("small_sparse", _open(5, 7),
                               _objects((1, 1.0, 1.0, 1.0), (2, -1.0, 1.0, 1.0)), 50),
    # Three object types: the two -1 types differ in termination and respawn probability.
    "dense": GridLayout("dense", _open(11, 11),
                        _objects((2, 1.0, 0.0, 0.05), (1, -1.0, 0.5, 0.1), (1, -1.0, 0.0, 0.5)), 500),
    # For CPU-scale experiments: 3 x 5 x 5 = 75 inputs, 5 actions.
    "tiny": GridLayout("tiny", _open(5, 5), _objects((1, 1.0, 0.0, 0.05), (1, -1.0, 0.0, 0.05)), 100,
                       moves=5),
    # [ours] Within-lifetime learnable (quick scale, claims 3 and 4): 5x5, 5 actions, the compact
    # egocentric observation (2 inputs per type: 6), three object types with different dynamics.
    "ego": GridLayout("ego", _open(5, 5), _objects((2, 1.0, 0.0, 0.1), (2, -1.0, 0.0, 0.5), (1, -1.0, 0.5, 0.1)),
                      100, moves=5, observation="compact"),
    # [ours] Curriculum stage before "ego": a 1x4 corridor, one good and one bad object that
    # respawn at once, the same compact observation.
    "corridor": GridLayout("corridor", _open(1, 4), _objects((1, 1.0, 0.0, 1.0), (1, -1.0, 0.0, 1.0)),
                           100, moves=5, observation="compact"),
    # Research candidates [ours]: dense rewarding objects, so wandering beats standing still.
    "fa4": GridLayout("fa4", _open(4, 4), _objects((2, 1.0, 0.0, 0.5), (2, -1.0, 0.0, 0.1), (1, -1.0, 0.5, 0.1)),
                      100, moves=5, observation="compact"),
    "gd4": GridLayout("gd4", _open(4, 4), _objects((3, 1.0, 0.0, 0.5), (1, -1.0, 0.0, 0.1), (1, -1.0, 0.5, 0.1)),
                      100, moves=5, observation="compact"),
    "gd4d": GridLayout("gd4d", _open(4, 4), _objects((3, 1.0, 0.0, 0.5), (1, -1.0, 0.0, 0.1), (1, -1.0, 0.5, 0.1)),
                       100, moves=5, observation="directions"),
    "bal4": GridLayout("bal4", _open(4, 4), _objects((2, 1.0, 0.0, 0.5), (2, -1.0, 0.5, 0.5), (1, 1.0, 0.0, 0.1)),
                       100, moves=5, observation="compact"),
    "cue4": GridLayout("cue4", _open(4, 4), _objects((2, 1.0, 0.0, 0.5), (2, -1.0, 0.2, 0.5), (1, 1.0, 0.0, 0.05)),
                       100, moves=5, observation="compact"),
    "cb3": GridLayout("cb3", _open(1, 3), _objects((1, 1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)),
                      100, moves=5, observation="compact"),
    "cb3d": GridLayout("cb3d", _open(1, 3), _objects((1, 1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)),
                       100, moves=5, observation="directions"),
    "lane": GridLayout("lane", _open(1, 3), _objects((1, 1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)),
                       100, moves=5, observation="compact", homes=((0, 1), (0, 2), (0, 0))),
    "line": GridLayout("line", _open(1, 8), _objects((2, 1.0, 0.0, 0.5), (2, -1.0, 0.5, 0.5), (1, 1.0, 0.0, 0.1)),
                       100, moves=2, observation="compact"),
    "line5": GridLayout("line5", _open(1, 8), _objects((2, 1.0, 0.0, 0.5), (2, -1.0, 0.5, 0.5), (1, 1.0, 0.0, 0.1)),
                        100, moves=5, observation="compact"),
    "lineb": GridLayout("lineb", _open(1, 8), _objects((2, 1.0, 0.0, 0.5), (2, -1.0, 0.0, 0.5), (1, 1.0, 0.5, 0.1)),
                        100, moves=2, observation="compact"),
    "linet": GridLayout("linet", _open(1, 8), _objects((2, 1.0, 0.3, 0.5), (2, -1.0, 0.0, 0.5), (1, 1.0, 0.0, 0.1)),
                        100, moves=2, observation="compact"),
    "lineo": GridLayout("lineo", _open(1, 8), _objects((2, 1.0, 0.3, 0.5), (2, -1.0, 0.0, 0.5), (1, 1.0, 0.0, 0.1)),
                        100, moves=2, observation="offsets"),
    # Research candidates [ours]: a fork. The agent starts in the middle of a corridor, a +1 and a
    # -1 object at the two ends (both end the episode); which end pays is redrawn with
    # episode_swap at every episode, so only the observation says where to go (a contextual
    # bandit with a walk: reward 1/2 - 1/2 for any policy that ignores it).
    "fork3p": GridLayout("fork3p", _open(1, 3), _objects((1, 1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                        moves=2, observation="compact", homes=((0, 1), (0, 0), (0, 2)), episode_swap=0.5),
    "fork3q": GridLayout("fork3q", _open(1, 3), _objects((1, 1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                        moves=2, observation="compact", homes=((0, 1), (0, 0), (0, 2)), episode_swap=0.25),
    "fork5p": GridLayout("fork5p", _open(1, 5), _objects((1, 1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                        moves=2, observation="compact", homes=((0, 2), (0, 0), (0, 4)), episode_swap=0.5),
    "fork5q": GridLayout("fork5q", _open(1, 5), _objects((1, 1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                        moves=2, observation="compact", homes=((0, 2), (0, 0), (0, 4)), episode_swap=0.25),
    "fork7p": GridLayout("fork7p", _open(1, 7), _objects((1, 1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                        moves=2, observation="compact", homes=((0, 3), (0, 0), (0, 6)), episode_swap=0.5),
    "fork7q": GridLayout("fork7q", _open(1, 7), _objects((1, 1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                        moves=2, observation="compact", homes=((0, 3), (0, 0), (0, 6)), episode_swap=0.25),
    # ... and the same forks with the ends fixed for the lifetime (a bandit with a walk).
    "fork3z": GridLayout("fork3z", _open(1, 3), _objects((1, 1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                        moves=2, observation="compact", homes=((0, 1), (0, 0), (0, 2))),
    "fork5z": GridLayout("fork5z", _open(1, 5), _objects((1, 1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                        moves=2, observation="compact", homes=((0, 2), (0, 0), (0, 4))),
    "fork7z": GridLayout("fork7z", _open(1, 7), _objects((1, 1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                        moves=2, observation="compact", homes=((0, 3), (0, 0), (0, 6))),
    # ... and forks where only the bad end pays (-1); the good end just ends the episode.
    "fork3a": GridLayout("fork3a", _open(1, 3), _objects((1, 0.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                        moves=2, observation="compact", homes=((0, 1), (0, 0), (0, 2)), episode_swap=0.5),
    "fork5a": GridLayout("fork5a", _open(1, 5), _objects((1, 0.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                        moves=2, observation="compact", homes=((0, 2), (0, 0), (0, 4)), episode_swap=0.5),
    "fork7a": GridLayout("fork7a", _open(1, 7), _objects((1, 0.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                        moves=2, observation="compact", homes=((0, 3), (0, 0), (0, 6)), episode_swap=0.5),
    # ... forks and a "balance" corridor with real-valued offsets: in the balance corridor both ends
    # are punishing (-1, end of episode) and the agent must keep away from them (oscillate in the
    # middle), the sides of the two types redrawn every episode.
    "fork5po": GridLayout("fork5po", _open(1, 5), _objects((1, 1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                         moves=2, observation="offsets", homes=((0, 2), (0, 0), (0, 4)), episode_swap=0.5),
    "fork7po": GridLayout("fork7po", _open(1, 7), _objects((1, 1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                         moves=2, observation="offsets", homes=((0, 3), (0, 0), (0, 6)), episode_swap=0.5),
    "balance5": GridLayout("balance5", _open(1, 5), _objects((1, -1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                          moves=2, observation="offsets", homes=((0, 2), (0, 0), (0, 4)), episode_swap=0.5),
    "balance7": GridLayout("balance7", _open(1, 7), _objects((1, -1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                          moves=2, observation="offsets", homes=((0, 3), (0, 0), (0, 6)), episode_swap=0.5),
    "balance9": GridLayout("balance9", _open(1, 9), _objects((1, -1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                          moves=2, observation="offsets", homes=((0, 4), (0, 0), (0, 8)), episode_swap=0.5),
    # ... and "seek" corridors: one +1 and one -1 object that reappear at once at a random free
    # cell, so sweeping or a random walk nets 0 and the way to go changes after every collection.
    "seek7": GridLayout("seek7", _open(1, 7), _objects((1, 1.0, 0.0, 1.0), (1, -1.0, 0.0, 1.0)), 100,
                        moves=2, observation="compact"),
    "seek7o": GridLayout("seek7o", _open(1, 7), _objects((1, 1.0, 0.0, 1.0), (1, -1.0, 0.0, 1.0)), 100,
                         moves=2, observation="offsets"),
    "seek7t": GridLayout("seek7t", _open(1, 7), _objects((1, 1.0, 0.0, 1.0), (1, -1.0, 0.0, 1.0), (1, -1.0, 1.0, 0.5)),
                         100, moves=2, observation="compact"),
    "seek7n": GridLayout("seek7n", _open(1, 7), _objects((1, 1.0, 0.0, 1.0), (1, -1.0, 1.0, 1.0), (1, 0.0, 0.0, 1.0)),
                         100, moves=2, observation="nearness"),
    "seek7c": GridLayout("seek7c", _open(1, 7), _objects((1, 1.0, 0.0, 1.0), (1, -1.0, 1.0, 1.0), (1, 0.0, 0.0, 1.0)),
                         100, moves=2, observation="compact"),
    "seek7d": GridLayout("seek7d", _open(1, 7), _objects((1, 1.0, 0.0, 1.0), (1, -1.0, 0.5, 1.0), (1, -1.0, 0.0, 0.2)),
                         100, moves=2, observation="compact"),
    "seek7e": GridLayout("seek7e", _open(1, 7), _objects((1, 1.0, 0.0, 1.0), (1, -1.0, 0.3, 1.0), (1, 1.0, 0.0, 0.2)),
                         100, moves=2, observation="compact"),
    # [ours] fork7x: fork7 with different dynamics for the two end objects (the punishing one ends
    # the episode only half the time, and then reappears at a random free cell) and a third type,
    # a rare +1 bonus on a random cell of the corridor.
    "fork7x": GridLayout("fork7x", _open(1, 7), _objects((1, 1.0, 1.0, 1.0), (1, -1.0, 0.5, 1.0), (1, 1.0, 0.0, 0.1)),
                         100, moves=2, observation="compact", homes=((0, 3), (0, 0), (0, 6)), episode_swap=0.5),
    "fork7y": GridLayout("fork7y", _open(1, 7), _objects((1, 1.0, 1.0, 1.0), (1, -1.0, 0.9, 1.0), (1, 1.0, 0.0, 0.1)),
                         100, moves=2, observation="compact", homes=((0, 3), (0, 0), (0, 6)), episode_swap=0.5),
    # [ours] fork7h: fork7 whose punishing end does not end the episode and reappears in place once
    # the agent steps off (so a +1 object with these dynamics, as after the swap, can be farmed by
    # stepping on and off), plus a rare +1 bonus on a random cell.
    "fork7h": GridLayout("fork7h", _open(1, 7), _objects((1, 1.0, 1.0, 1.0), (1, -1.0, 0.0, 1.0), (1, 1.0, 0.0, 0.1)),
                         100, moves=2, observation="compact", homes=((0, 3), (0, 0), (0, 6)), episode_swap=0.5,
                         respawn_in_place=True),
    "fork5h": GridLayout("fork5h", _open(1, 5), _objects((1, 1.0, 1.0, 1.0), (1, -1.0, 0.0, 1.0), (1, 1.0, 0.0, 0.1)),
                         100, moves=2, observation="compact", homes=((0, 2), (0, 0), (0, 4)), episode_swap=0.5,
                         respawn_in_place=True),
    # [ours] quad: four types whose dynamics do not predict their reward (one +1 and one -1 type end
    # the episode, the other two reappear at once at a random cell), so a learner must learn
    # rewards from reward; swapping the first two changes which dynamics pay.
    "quad9": GridLayout("quad9", _open(1, 9), _objects((1, 1.0, 1.0, 1.0), (1, -1.0, 0.0, 1.0), (1, 1.0, 0.0, 1.0),
                                                         (1, -1.0, 1.0, 1.0)), 100, moves=2, observation="compact"),
    "quad7": GridLayout("quad7", _open(1, 7), _objects((1, 1.0, 1.0, 1.0), (1, -1.0, 0.0, 1.0), (1, 1.0, 0.0, 1.0),
                                                         (1, -1.0, 1.0, 1.0)), 100, moves=2, observation="compact"),
    "quad7b": GridLayout("quad7b", _open(1, 7), _QUAD_B, 100, moves=2, observation="compact"),
    # [ours] quad7b with -2 punishments: on quad7b SymLA learns to seek but hardly to avoid
    # (benchmarks/collections_by_type.py); here avoiding pays as much as seeking (research candidate).
    "quad7n": GridLayout("quad7n", _open(1, 7), _objects((1, 1.0, 0.0, 1.0), (1, -2.0, 1.0, 1.0), (1, 1.0, 1.0, 1.0),
                                                           (1, -2.0, 0.0, 1.0)), 100, moves=2, observation="compact"),
    # [ours] quad in two dimensions (stay + 4 moves): objects can be walked around, so avoiding a -1
    # object costs no access to the +1 ones, as it does in a corridor (research candidates).
    "quad34": GridLayout("quad34", _open(3, 4), _QUAD_B, 100, moves=5, observation="compact"),
    "quad44": GridLayout("quad44", _open(4, 4), _QUAD_B, 100, moves=5, observation="compact"),
    # [ours] quad7r: quad7b's four kinds told apart by how fast they come back instead of by ending
    # the episode (none ends it): collecting any kind never moves the agent away from the others, so
    # avoiding one kind protects no other (research candidate; on quad7b the failing seeds learned to
    # avoid the kinds that end the episode, which then hurts after the swap).
    "quad7r": GridLayout("quad7r", _open(1, 7), _objects((1, 1.0, 0.0, 1.0), (1, -1.0, 0.0, 0.1), (1, 1.0, 0.0, 0.1),
                                                           (1, -1.0, 0.0, 1.0)), 100, moves=2, observation="compact"),
    "quad7h": GridLayout("quad7h", _open(1, 7), _QUAD_B, 100, moves=2, observation="compact",
                         respawn_in_place=True),
    # [ours] "sway" corridors: a punishing object (-1, ends the episode) at each end, their sides
    # redrawn every episode, and a wind that pushes the agent one more cell toward one end (drawn
    # every episode) on half of the steps. Alternating or repeating moves drift into an end;
    # staying alive takes moving away from the nearer end, which the agent must learn from
    # punishment alone (which action goes which way is not observed): the grid-world shape of a
    # balancing task. Real-valued offsets, like a control task's observation.
    "sway7": GridLayout("sway7", _open(1, 7), _objects((1, -1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                        moves=2, observation="offsets", homes=((0, 3), (0, 0), (0, 6)), episode_swap=0.5, wind=0.5),
    "sway9": GridLayout("sway9", _open(1, 9), _objects((1, -1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                        moves=2, observation="offsets", homes=((0, 4), (0, 0), (0, 8)), episode_swap=0.5, wind=0.5),
    # ... with gusts: the push's direction is drawn at every step.
    "sway7g": GridLayout("sway7g", _open(1, 7), _objects((1, -1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                         moves=2, observation="offsets", homes=((0, 3), (0, 0), (0, 6)), episode_swap=0.5, wind=0.5,
                         wind_mode="gusts"),
    "sway7gg": GridLayout("sway7gg", _open(1, 7), _objects((1, -1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                          moves=2, observation="offsets", homes=((0, 3), (0, 0), (0, 6)), episode_swap=0.5, wind=1.0,
                          wind_mode="gusts"),
    # ... downhill: pushed away from the middle on half of the steps.
    "sway7d": GridLayout("sway7d", _open(1, 7), _objects((1, -1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                         moves=2, observation="offsets", homes=((0, 3), (0, 0), (0, 6)), episode_swap=0.5, wind=0.5,
                         wind_mode="downhill"),
    # ... and observed by nearness (sign / distance: 1 when adjacent), so danger is a large input.
    "sway7dn": GridLayout("sway7dn", _open(1, 7), _objects((1, -1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                          moves=2, observation="nearness", homes=((0, 3), (0, 0), (0, 6)), episode_swap=0.5,
                          wind=0.5, wind_mode="downhill"),
    # ... with a third type, a +1 bonus that stays and reappears at a random cell (6 inputs).
    "sway7dnb": GridLayout("sway7dnb", _open(1, 7), _objects((1, -1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0),
                                                             (1, 1.0, 0.0, 0.1)), 100,
                           moves=2, observation="nearness", homes=((0, 3), (0, 0), (0, 6)), episode_swap=0.5,
                           wind=0.5, wind_mode="downhill"),
    # ... with a third type that pays nothing and stays (a distractor input).
    "sway7dnz": GridLayout("sway7dnz", _open(1, 7), _objects((1, -1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0),
                                                             (1, 0.0, 0.0, 0.5)), 100,
                           moves=2, observation="nearness", homes=((0, 3), (0, 0), (0, 6)), episode_swap=0.5,
                           wind=0.5, wind_mode="downhill"),
    # ... with three actions: stay, left, right (so CartPole's two are a new size).
    "sway7dn3": GridLayout("sway7dn3", _open(1, 7), _objects((1, -1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                           moves=3, observation="nearness", homes=((0, 3), (0, 0), (0, 6)), episode_swap=0.5,
                           wind=0.5, wind_mode="downhill"),
    # ... whose moves slip (a random move instead) a quarter of the time.
    "sway7dns": GridLayout("sway7dns", _open(1, 7), _objects((1, -1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                           moves=2, observation="nearness", homes=((0, 3), (0, 0), (0, 6)), episode_swap=0.5,
                           wind=0.5, wind_mode="downhill", slip=0.25),
    # ... with inertia: a cart on a ridge (speed at most 2), observed by nearness and velocity.
    "cart9": GridLayout("cart9", _open(1, 9), _objects((1, -1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                        moves=2, observation="nearness", homes=((0, 4), (0, 0), (0, 8)), episode_swap=0.5,
                        wind=0.5, wind_mode="downhill", inertia=2),
    "cart9c": GridLayout("cart9c", _open(1, 9), _objects((1, -1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                         moves=2, observation="nearness", homes=((0, 4), (0, 0), (0, 8)), episode_swap=0.5,
                         inertia=2),
    "cart11": GridLayout("cart11", _open(1, 11), _objects((1, -1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                         moves=2, observation="nearness", homes=((0, 5), (0, 0), (0, 10)), episode_swap=0.5,
                         wind=0.5, wind_mode="downhill", inertia=3),
    "sway7gn": GridLayout("sway7gn", _open(1, 7), _objects((1, -1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                          moves=2, observation="nearness", homes=((0, 3), (0, 0), (0, 6)), episode_swap=0.5,
                          wind=0.5, wind_mode="gusts"),
    "sway9d": GridLayout("sway9d", _open(1, 9), _objects((1, -1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                         moves=2, observation="offsets", homes=((0, 4), (0, 0), (0, 8)), episode_swap=0.5, wind=0.5,
                         wind_mode="downhill"),
    # ... with a third type, a +1 bonus that stays and reappears at a random cell.
    "sway7b": GridLayout("sway7b", _open(1, 7), _objects((1, -1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0),
                                                         (1, 1.0, 0.0, 0.1)), 100,
                         moves=2, observation="offsets", homes=((0, 3), (0, 0), (0, 6)), episode_swap=0.5, wind=0.5),
    # "small" with interior walls, so blocked moves and wall-avoiding respawns are exercised.
    "small_walls": GridLayout("small_walls", (".......",
                                              "..#....",
                                              "..#.#..",
                                              "....#..",
                                              "......."),
                              _objects((2, 1.0, 0.0, 0.05), (2, -1.0, 0.5, 0.1)), 500),
}
