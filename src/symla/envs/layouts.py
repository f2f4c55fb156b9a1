"""Grid-world layouts: static maps, object types and observation kinds, without JAX.

They are plain frozen dataclasses so that params.yaml can be validated (and a workflow parsed)
without importing JAX; symla.envs.gridworld turns a layout into a gymnax environment.
"""

import dataclasses

# Action 0 stays; then the 4 axis moves (up, down, left, right); then the 4 diagonals, which only
# layouts with moves=9 use. (row, col) offsets. Corridors (one row) may use moves=2: left, right.
MOVES = ((0, 0), (-1, 0), (1, 0), (0, -1), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1))
CORRIDOR_MOVES = ((0, -1), (0, 1))


@dataclasses.dataclass(frozen=True)
class ObjectType:
    """``count`` objects paying ``reward`` on collection, ending the episode with ``term_prob``
    and reappearing each step they are absent with ``respawn_prob``."""

    count: int
    reward: float
    term_prob: float
    respawn_prob: float


OBSERVATIONS = ("map", "compact", "offsets", "directions")


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
    # Fixed reset cells ((row, col) of the agent, then of every object) instead of random ones;
    # each lifetime's task then exchanges the first two objects' cells with probability 1/2
    # (a curriculum stage: which side pays is fixed within a lifetime, random across lifetimes).
    homes: tuple = ()

    def __post_init__(self):
        if not self.rows or len({len(r) for r in self.rows}) != 1:
            raise ValueError(f"layout {self.name!r}: every row must have the same length")
        if set("".join(self.rows)) - set("#."):
            raise ValueError(f"layout {self.name!r}: rows may only contain '#' and '.'")
        if self.moves not in (2, 5, 9) or (self.moves == 2 and len(self.rows) != 1):
            raise ValueError(f"layout {self.name!r}: moves must be 5 or 9 (or 2, left and right, in a one-row corridor)")
        if self.observation not in OBSERVATIONS:
            raise ValueError(f"layout {self.name!r}: observation must be one of {', '.join(OBSERVATIONS)}")
        # Reset needs a distinct cell for the agent and every object; this also guarantees that
        # a respawning object always finds a free cell.
        free = sum(r.count(".") for r in self.rows)
        if free < 1 + sum(t.count for t in self.object_types):
            raise ValueError(f"layout {self.name!r}: not enough free cells for the agent and objects")
        if self.homes and (len(self.homes) != 1 + sum(t.count for t in self.object_types)
                           or len(set(self.homes)) != len(self.homes)
                           or any(self.rows[r][c] != "." for r, c in self.homes)):
            raise ValueError(f"layout {self.name!r}: homes must be distinct free cells, one for the agent "
                             "and one per object")

    @property
    def height(self) -> int:
        return len(self.rows)

    @property
    def width(self) -> int:
        return len(self.rows[0])

    @property
    def move_offsets(self) -> tuple:
        """(row, col) offset of every action."""
        return CORRIDOR_MOVES if self.moves == 2 else MOVES[: self.moves]

    @property
    def obs_shape(self) -> tuple[int, ...]:
        types = len(self.object_types)
        return {"map": (1 + types, self.height, self.width), "compact": (types, 2), "offsets": (types, 2),
                "directions": (types, 4)}[self.observation]

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
    # "small" with interior walls, so blocked moves and wall-avoiding respawns are exercised.
    "small_walls": GridLayout("small_walls", (".......",
                                              "..#....",
                                              "..#.#..",
                                              "....#..",
                                              "......."),
                              _objects((2, 1.0, 0.0, 0.05), (2, -1.0, 0.5, 0.1)), 500),
}
