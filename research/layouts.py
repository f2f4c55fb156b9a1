"""Grid-world layouts of the research workbench: candidates that no experiment of params.yaml uses.

Importing this module registers them (symla.envs.layouts.register_layout), so every research
script can name them as splits (``gridworld-fork7q``, ``gridworld-sway9-swapped`` ...). They live
here, outside src/symla, so that editing one reruns no stage of the pipeline (a test checks it);
research/log.md has what each was for and what it measured. A candidate that an experiment
adopts moves into src/symla/envs/layouts.py with it.
"""

from symla.envs.layouts import QUAD_B_KINDS, GridLayout, grid, kinds, register_layout

RESEARCH_LAYOUTS: dict[str, GridLayout] = {
    # Research candidates [ours]: dense rewarding objects, so wandering beats standing still.
    "fa4": GridLayout("fa4", grid(4, 4), kinds((2, 1.0, 0.0, 0.5), (2, -1.0, 0.0, 0.1), (1, -1.0, 0.5, 0.1)),
                      100, moves=5, observation="compact"),
    "gd4": GridLayout("gd4", grid(4, 4), kinds((3, 1.0, 0.0, 0.5), (1, -1.0, 0.0, 0.1), (1, -1.0, 0.5, 0.1)),
                      100, moves=5, observation="compact"),
    "gd4d": GridLayout("gd4d", grid(4, 4), kinds((3, 1.0, 0.0, 0.5), (1, -1.0, 0.0, 0.1), (1, -1.0, 0.5, 0.1)),
                       100, moves=5, observation="directions"),
    "bal4": GridLayout("bal4", grid(4, 4), kinds((2, 1.0, 0.0, 0.5), (2, -1.0, 0.5, 0.5), (1, 1.0, 0.0, 0.1)),
                       100, moves=5, observation="compact"),
    "cue4": GridLayout("cue4", grid(4, 4), kinds((2, 1.0, 0.0, 0.5), (2, -1.0, 0.2, 0.5), (1, 1.0, 0.0, 0.05)),
                       100, moves=5, observation="compact"),
    "cb3": GridLayout("cb3", grid(1, 3), kinds((1, 1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)),
                      100, moves=5, observation="compact"),
    "cb3d": GridLayout("cb3d", grid(1, 3), kinds((1, 1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)),
                       100, moves=5, observation="directions"),
    "line5": GridLayout("line5", grid(1, 8), kinds((2, 1.0, 0.0, 0.5), (2, -1.0, 0.5, 0.5), (1, 1.0, 0.0, 0.1)),
                        100, moves=5, observation="compact"),
    "lineb": GridLayout("lineb", grid(1, 8), kinds((2, 1.0, 0.0, 0.5), (2, -1.0, 0.0, 0.5), (1, 1.0, 0.5, 0.1)),
                        100, moves=2, observation="compact"),
    "linet": GridLayout("linet", grid(1, 8), kinds((2, 1.0, 0.3, 0.5), (2, -1.0, 0.0, 0.5), (1, 1.0, 0.0, 0.1)),
                        100, moves=2, observation="compact"),
    "lineo": GridLayout("lineo", grid(1, 8), kinds((2, 1.0, 0.3, 0.5), (2, -1.0, 0.0, 0.5), (1, 1.0, 0.0, 0.1)),
                        100, moves=2, observation="offsets"),
    "fork5q": GridLayout("fork5q", grid(1, 5), kinds((1, 1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                        moves=2, observation="compact", homes=((0, 2), (0, 0), (0, 4)), episode_swap=0.25),
    "fork7p": GridLayout("fork7p", grid(1, 7), kinds((1, 1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                        moves=2, observation="compact", homes=((0, 3), (0, 0), (0, 6)), episode_swap=0.5),
    "fork7q": GridLayout("fork7q", grid(1, 7), kinds((1, 1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                        moves=2, observation="compact", homes=((0, 3), (0, 0), (0, 6)), episode_swap=0.25),
    "fork5z": GridLayout("fork5z", grid(1, 5), kinds((1, 1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                        moves=2, observation="compact", homes=((0, 2), (0, 0), (0, 4))),
    "fork7z": GridLayout("fork7z", grid(1, 7), kinds((1, 1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                        moves=2, observation="compact", homes=((0, 3), (0, 0), (0, 6))),
    # ... and forks where only the bad end pays (-1); the good end just ends the episode.
    "fork3a": GridLayout("fork3a", grid(1, 3), kinds((1, 0.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                        moves=2, observation="compact", homes=((0, 1), (0, 0), (0, 2)), episode_swap=0.5),
    "fork5a": GridLayout("fork5a", grid(1, 5), kinds((1, 0.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                        moves=2, observation="compact", homes=((0, 2), (0, 0), (0, 4)), episode_swap=0.5),
    "fork7a": GridLayout("fork7a", grid(1, 7), kinds((1, 0.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                        moves=2, observation="compact", homes=((0, 3), (0, 0), (0, 6)), episode_swap=0.5),
    # ... forks and a "balance" corridor with real-valued offsets: in the balance corridor both ends
    # are punishing (-1, end of episode) and the agent must keep away from them (oscillate in the
    # middle), the sides of the two types redrawn every episode.
    "fork5po": GridLayout("fork5po", grid(1, 5), kinds((1, 1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                         moves=2, observation="offsets", homes=((0, 2), (0, 0), (0, 4)), episode_swap=0.5),
    "fork7po": GridLayout("fork7po", grid(1, 7), kinds((1, 1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                         moves=2, observation="offsets", homes=((0, 3), (0, 0), (0, 6)), episode_swap=0.5),
    "balance5": GridLayout("balance5", grid(1, 5), kinds((1, -1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                          moves=2, observation="offsets", homes=((0, 2), (0, 0), (0, 4)), episode_swap=0.5),
    "balance7": GridLayout("balance7", grid(1, 7), kinds((1, -1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                          moves=2, observation="offsets", homes=((0, 3), (0, 0), (0, 6)), episode_swap=0.5),
    "balance9": GridLayout("balance9", grid(1, 9), kinds((1, -1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                          moves=2, observation="offsets", homes=((0, 4), (0, 0), (0, 8)), episode_swap=0.5),
    # ... and "seek" corridors: one +1 and one -1 object that reappear at once at a random free
    # cell, so sweeping or a random walk nets 0 and the way to go changes after every collection.
    "seek7": GridLayout("seek7", grid(1, 7), kinds((1, 1.0, 0.0, 1.0), (1, -1.0, 0.0, 1.0)), 100,
                        moves=2, observation="compact"),
    "seek7o": GridLayout("seek7o", grid(1, 7), kinds((1, 1.0, 0.0, 1.0), (1, -1.0, 0.0, 1.0)), 100,
                         moves=2, observation="offsets"),
    "seek7t": GridLayout("seek7t", grid(1, 7), kinds((1, 1.0, 0.0, 1.0), (1, -1.0, 0.0, 1.0), (1, -1.0, 1.0, 0.5)),
                         100, moves=2, observation="compact"),
    "seek7n": GridLayout("seek7n", grid(1, 7), kinds((1, 1.0, 0.0, 1.0), (1, -1.0, 1.0, 1.0), (1, 0.0, 0.0, 1.0)),
                         100, moves=2, observation="nearness"),
    "seek7c": GridLayout("seek7c", grid(1, 7), kinds((1, 1.0, 0.0, 1.0), (1, -1.0, 1.0, 1.0), (1, 0.0, 0.0, 1.0)),
                         100, moves=2, observation="compact"),
    "seek7d": GridLayout("seek7d", grid(1, 7), kinds((1, 1.0, 0.0, 1.0), (1, -1.0, 0.5, 1.0), (1, -1.0, 0.0, 0.2)),
                         100, moves=2, observation="compact"),
    "seek7e": GridLayout("seek7e", grid(1, 7), kinds((1, 1.0, 0.0, 1.0), (1, -1.0, 0.3, 1.0), (1, 1.0, 0.0, 0.2)),
                         100, moves=2, observation="compact"),
    "fork7y": GridLayout("fork7y", grid(1, 7), kinds((1, 1.0, 1.0, 1.0), (1, -1.0, 0.9, 1.0), (1, 1.0, 0.0, 0.1)),
                         100, moves=2, observation="compact", homes=((0, 3), (0, 0), (0, 6)), episode_swap=0.5),
    # [ours] fork7h: fork7 whose punishing end does not end the episode and reappears in place once
    # the agent steps off (so a +1 object with these dynamics, as after the swap, can be farmed by
    # stepping on and off), plus a rare +1 bonus on a random cell.
    "fork7h": GridLayout("fork7h", grid(1, 7), kinds((1, 1.0, 1.0, 1.0), (1, -1.0, 0.0, 1.0), (1, 1.0, 0.0, 0.1)),
                         100, moves=2, observation="compact", homes=((0, 3), (0, 0), (0, 6)), episode_swap=0.5,
                         respawn_in_place=True),
    "fork5h": GridLayout("fork5h", grid(1, 5), kinds((1, 1.0, 1.0, 1.0), (1, -1.0, 0.0, 1.0), (1, 1.0, 0.0, 0.1)),
                         100, moves=2, observation="compact", homes=((0, 2), (0, 0), (0, 4)), episode_swap=0.5,
                         respawn_in_place=True),
    # [ours] quad: four types whose dynamics do not predict their reward (one +1 and one -1 type end
    # the episode, the other two reappear at once at a random cell), so a learner must learn
    # rewards from reward; swapping the first two changes which dynamics pay.
    "quad9": GridLayout("quad9", grid(1, 9), kinds((1, 1.0, 1.0, 1.0), (1, -1.0, 0.0, 1.0), (1, 1.0, 0.0, 1.0),
                                                         (1, -1.0, 1.0, 1.0)), 100, moves=2, observation="compact"),
    "quad7": GridLayout("quad7", grid(1, 7), kinds((1, 1.0, 1.0, 1.0), (1, -1.0, 0.0, 1.0), (1, 1.0, 0.0, 1.0),
                                                         (1, -1.0, 1.0, 1.0)), 100, moves=2, observation="compact"),
    # [ours] quad7b with -2 punishments: on quad7b SymLA learns to seek but hardly to avoid
    # (benchmarks/collections_by_type.py); here avoiding pays as much as seeking (research candidate).
    "quad7n": GridLayout("quad7n", grid(1, 7), kinds((1, 1.0, 0.0, 1.0), (1, -2.0, 1.0, 1.0), (1, 1.0, 1.0, 1.0),
                                                           (1, -2.0, 0.0, 1.0)), 100, moves=2, observation="compact"),
    # [ours] quad in two dimensions (stay + 4 moves): objects can be walked around, so avoiding a -1
    # object costs no access to the +1 ones, as it does in a corridor (research candidates).
    "quad34": GridLayout("quad34", grid(3, 4), QUAD_B_KINDS, 100, moves=5, observation="compact"),
    "quad44": GridLayout("quad44", grid(4, 4), QUAD_B_KINDS, 100, moves=5, observation="compact"),
    "sway9": GridLayout("sway9", grid(1, 9), kinds((1, -1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                        moves=2, observation="offsets", homes=((0, 4), (0, 0), (0, 8)), episode_swap=0.5, wind=0.5),
    # ... with gusts: the push's direction is drawn at every step.
    "sway7g": GridLayout("sway7g", grid(1, 7), kinds((1, -1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                         moves=2, observation="offsets", homes=((0, 3), (0, 0), (0, 6)), episode_swap=0.5, wind=0.5,
                         wind_mode="gusts"),
    "sway7gg": GridLayout("sway7gg", grid(1, 7), kinds((1, -1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                          moves=2, observation="offsets", homes=((0, 3), (0, 0), (0, 6)), episode_swap=0.5, wind=1.0,
                          wind_mode="gusts"),
    # ... with a third type, a +1 bonus that stays and reappears at a random cell (6 inputs).
    "sway7dnb": GridLayout("sway7dnb", grid(1, 7), kinds((1, -1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0),
                                                             (1, 1.0, 0.0, 0.1)), 100,
                           moves=2, observation="nearness", homes=((0, 3), (0, 0), (0, 6)), episode_swap=0.5,
                           wind=0.5, wind_mode="downhill"),
    # ... with a third type that pays nothing and stays (a distractor input).
    "sway7dnz": GridLayout("sway7dnz", grid(1, 7), kinds((1, -1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0),
                                                             (1, 0.0, 0.0, 0.5)), 100,
                           moves=2, observation="nearness", homes=((0, 3), (0, 0), (0, 6)), episode_swap=0.5,
                           wind=0.5, wind_mode="downhill"),
    # ... whose moves slip (a random move instead) a quarter of the time.
    "sway7dns": GridLayout("sway7dns", grid(1, 7), kinds((1, -1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                           moves=2, observation="nearness", homes=((0, 3), (0, 0), (0, 6)), episode_swap=0.5,
                           wind=0.5, wind_mode="downhill", slip=0.25),
    "cart9c": GridLayout("cart9c", grid(1, 9), kinds((1, -1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                         moves=2, observation="nearness", homes=((0, 4), (0, 0), (0, 8)), episode_swap=0.5,
                         inertia=2),
    "cart11": GridLayout("cart11", grid(1, 11), kinds((1, -1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                         moves=2, observation="nearness", homes=((0, 5), (0, 0), (0, 10)), episode_swap=0.5,
                         wind=0.5, wind_mode="downhill", inertia=3),
    "sway7gn": GridLayout("sway7gn", grid(1, 7), kinds((1, -1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                          moves=2, observation="nearness", homes=((0, 3), (0, 0), (0, 6)), episode_swap=0.5,
                          wind=0.5, wind_mode="gusts"),
    "sway9d": GridLayout("sway9d", grid(1, 9), kinds((1, -1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0)), 100,
                         moves=2, observation="offsets", homes=((0, 4), (0, 0), (0, 8)), episode_swap=0.5, wind=0.5,
                         wind_mode="downhill"),
    # ... with a third type, a +1 bonus that stays and reappears at a random cell.
    "sway7b": GridLayout("sway7b", grid(1, 7), kinds((1, -1.0, 1.0, 1.0), (1, -1.0, 1.0, 1.0),
                                                         (1, 1.0, 0.0, 0.1)), 100,
                         moves=2, observation="offsets", homes=((0, 3), (0, 0), (0, 6)), episode_swap=0.5, wind=0.5),
}

for _layout in RESEARCH_LAYOUTS.values():
    register_layout(_layout)
