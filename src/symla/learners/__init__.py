"""Learners: black-box meta-learners behind one interface.

Every learner is a small frozen dataclass of static settings (hashable, so jit treats it as a
constant) with three pure methods:

- ``init_params(key)``: meta-parameters (a pytree of arrays) that ES optimises.
- ``init_state(params, key, obs_size, num_actions)``: a fresh lifetime state (the learner's fast
  memory), drawn anew for every lifetime.
- ``step(params, state, obs, prev_action, reward) -> (logits, state)``: one environment step;
  ``prev_action`` is a one-hot vector of the environment's action count (all zeros at the start of
  a lifetime, so "no action yet" is not confused with action 0).
- ``check_sizes(obs_size, num_actions)``: a one-line error where the learner cannot run on an
  environment of these sizes (MetaRNN's fixed input and output widths), else nothing.

``Learner`` states this interface; ES, the rollouts and the meta-test use nothing else.
"""

import dataclasses
from typing import Any, Protocol

import jax
import jax.numpy as jnp

from symla.errors import ConfigValueError
from symla.learners.metarnn import MetaRNN
from symla.learners.symla import SymLA


class Learner(Protocol):
    """What every learner implements (above)."""

    def init_params(self, key: jax.Array) -> Any: ...

    def init_state(self, params: Any, key: jax.Array, obs_size: int, num_actions: int) -> Any: ...

    def step(self, params: Any, state: Any, obs: jax.Array, prev_action: jax.Array,
             reward: jax.Array) -> tuple[jax.Array, Any]: ...

    def check_sizes(self, obs_size: int, num_actions: int) -> None: ...


class FixedPolicy:
    """A baseline with nothing to learn: no meta-parameters and no lifetime state."""

    def init_params(self, key):
        return {}

    def init_state(self, params, key, obs_size, num_actions):
        return ()

    def check_sizes(self, obs_size, num_actions):
        """Runs on any sizes: a policy written for its split, or one that ignores the observation."""


@dataclasses.dataclass(frozen=True)
class RandomPolicy(FixedPolicy):
    """The random baseline: uniform logits over the environment's actions."""

    def step(self, params, state, obs, prev_action, reward):
        return jnp.zeros(prev_action.shape[-1]), state


LEARNERS: dict[str, type] = {"symla": SymLA, "metarnn": MetaRNN}


def register_learner(name: str, cls: type) -> type:
    """Make ``cls`` buildable by ``name``: checkpoints name their learner (metadata "learner" and
    "learner_settings"), so `symla evaluate` and `symla transfer` rebuild it from the file alone.
    ``cls`` is a frozen dataclass that implements Learner. The same class may be registered
    again; another class under a taken name is refused."""
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise TypeError(f"register_learner takes a dataclass implementing Learner, not {cls!r}")
    missing = [m for m in ("init_params", "init_state", "step", "check_sizes") if not callable(getattr(cls, m, None))]
    if missing:
        raise TypeError(f"{cls.__name__} does not implement Learner: no {', '.join(missing)}")
    if LEARNERS.get(name, cls) is not cls:
        raise ValueError(f"another learner is already registered as {name!r}; choose another name")
    LEARNERS[name] = cls
    return cls


def make_learner(name: str, **settings):
    """Build a learner by name; an unknown name is a one-line error listing the known ones."""
    if name not in LEARNERS:
        raise ConfigValueError(f"unknown learner {name!r}; known learners: {', '.join(sorted(LEARNERS))}")
    return LEARNERS[name](**settings)


__all__ = ["Learner", "SymLA", "MetaRNN", "FixedPolicy", "RandomPolicy", "LEARNERS", "make_learner",
           "register_learner"]
