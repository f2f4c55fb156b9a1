"""What a split name means, without JAX: its family, sizes and unpermuted twin.

params.yaml names splits; this module parses those names so that the workflow can validate
params.yaml, size its jobs and draw its DAG without importing JAX or gymnax (a dry run stays
fast). ``symla.envs.splits.make_split`` builds the environment a spec describes. Names (K = arms):

    bandit-{K}arm[-biased][-permuted]   Bernoulli bandits; biased: arm 0 tends to be best
    cartpole | acrobot | mountaincar[-permuted]  gymnax classic control; permuted: obs and actions
    gridworld-{layout}[-swapped|-swapped23|-negated][-permuted]  LPG grid worlds; swapped: the first
                                        two object types' rewards swapped; swapped23 (a validation
                                        transform): the third and fourth types'; negated: every
                                        reward negated
    gymnax:{EnvId}                      any gymnax env with discrete actions (obs flattened)
"""

import dataclasses
import re

from symla.envs.layouts import LAYOUTS
from symla.errors import ConfigValueError

# gymnax id, observation size, actions, fixed observation scales (dividing by them beat raw
# observations in the CartPole prototype), reward mode (docs/design-decisions.md: how a learner sees the task),
# and the float32 numbers of gymnax's environment state besides its step counter.
CLASSIC_CONTROL = {
    "cartpole": ("CartPole-v1", 4, 2, (2.4, 3.0, 0.21, 3.0), "failure", 4),
    "acrobot": ("Acrobot-v1", 6, 3, (1.0, 1.0, 1.0, 1.0, 12.6, 28.3), "env", 4),
    "mountaincar": ("MountainCar-v0", 2, 3, (1.2, 0.07), "env", 2),
}


class UnknownSplitError(ConfigValueError):
    """An unknown or unsupported split name."""


@dataclasses.dataclass(frozen=True)
class SplitSpec:
    """A parsed split name. Sizes are None only for ``gymnax:`` ids (known once built)."""

    name: str
    family: str  # bandit | control | gridworld | gymnax
    obs_size: int | None
    num_actions: int | None
    permuted: bool = False
    arms: int = 0  # bandit
    biased: bool = False  # bandit
    env_id: str = ""  # control, gymnax
    layout: str = ""  # gridworld
    swapped: bool = False  # gridworld
    swapped23: bool = False  # gridworld
    negated: bool = False  # gridworld

    @property
    def env_state_bytes(self) -> int | None:
        """Bytes of one environment's state and observation (float32/int32, bools 1 byte)."""
        if self.obs_size is None:
            return None
        state = {"bandit": 0, "gymnax": 0,
                 "control": 4 * CLASSIC_CONTROL.get(self.twin, (0,) * 6)[5],
                 # agent (8), 9 per object, the episode's wind (8) and velocity (4), carried always
                 "gridworld": 20 + 9 * sum(t.count for t in LAYOUTS[self.layout].object_types)
                 if self.layout else 0}[self.family]
        return 4 * self.obs_size + 4 + state  # observation, step counter, the rest

    @property
    def fixed_episode_steps(self) -> int | None:
        """Steps of every episode where all episodes last equally long (a grid world whose objects
        never end one), else None: where a lifetime's curves show the world's resets."""
        if self.family != "gridworld":
            return None
        layout = LAYOUTS[self.layout]
        return None if any(t.term_prob > 0 for t in layout.object_types) else layout.max_steps

    @property
    def twin(self) -> str:
        """The unpermuted split with the same tasks (itself when not permuted)."""
        return self.name.removesuffix("-permuted") if self.permuted else self.name


def known_split_names() -> list[str]:
    """Example names of every family (bandit arm counts and gymnax ids are open-ended)."""
    names = [f"bandit-{k}arm{b}{p}" for k in (2, 5, 10) for b in ("", "-biased") for p in ("", "-permuted")]
    names += [f"{c}{p}" for c in CLASSIC_CONTROL for p in ("", "-permuted")]
    names += [f"gridworld-{n.replace('_', '-')}{s}{p}" for n in LAYOUTS
              for s in ("", "-swapped", "-swapped23", "-negated") for p in ("", "-permuted")]
    return names + ["gymnax:<EnvId>"]


def parse_split(name: str) -> SplitSpec:
    """The spec of a split name; an unknown name is a one-line error listing the known ones."""
    if m := re.fullmatch(r"bandit-(\d+)arm(-biased)?(-permuted)?", name):
        arms = int(m[1])
        if arms < 2:
            raise UnknownSplitError(f"split {name!r}: a bandit needs at least 2 arms (e.g. bandit-2arm)")
        return SplitSpec(name, "bandit", 1, arms, bool(m[3]), arms=arms, biased=bool(m[2]))
    if m := re.fullmatch(r"(cartpole|acrobot|mountaincar)(-permuted)?", name):
        env_id, obs_size, actions, *_ = CLASSIC_CONTROL[m[1]]
        return SplitSpec(name, "control", obs_size, actions, bool(m[2]), env_id=env_id)
    if m := re.fullmatch(r"gridworld-([a-z0-9-]+?)(-swapped|-swapped23|-negated)?(-permuted)?", name):
        layout = m[1].replace("-", "_")
        if layout not in LAYOUTS:
            raise UnknownSplitError(
                f"unknown grid-world layout {m[1]!r} in split {name!r}; "
                f"known layouts: {', '.join(sorted(n.replace('_', '-') for n in LAYOUTS))}")
        spec = LAYOUTS[layout]
        return SplitSpec(name, "gridworld", spec.obs_size, spec.moves, bool(m[3]), layout=layout,
                         swapped=m[2] == "-swapped", swapped23=m[2] == "-swapped23", negated=m[2] == "-negated")
    if name.startswith("gymnax:") and len(name) > len("gymnax:"):
        return SplitSpec(name, "gymnax", None, None, env_id=name.split(":", 1)[1])
    raise UnknownSplitError(
        f"unknown environment split {name!r}; known splits: {', '.join(known_split_names())}")
