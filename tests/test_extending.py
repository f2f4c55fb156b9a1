"""docs/extending.md, tried: a toy learner and a toy grid world added through the public API
only (no file of the package edited) run through `symla transfer` like any checkpoint."""

import dataclasses

import jax
import jax.numpy as jnp
import pandas as pd
import pytest

from symla.checkpoint import save
from symla.cli import main
from symla.envs.layouts import LAYOUTS, GridLayout, grid, kinds, register_layout
from symla.learners import LEARNERS, FixedPolicy, register_learner


@dataclasses.dataclass(frozen=True)
class Leaning(FixedPolicy):
    """A toy learner: fixed logits (its meta-parameters) plus the last reward times its previous
    action (it repeats what paid); its only lifetime state is the previous reward."""

    bias: float = 0.5

    def init_params(self, key):
        return {"logits": jnp.asarray([self.bias, 0.0])}

    def init_state(self, params, key, obs_size, num_actions):
        return jnp.zeros(())

    def step(self, params, state, obs, prev_action, reward):
        return params["logits"] + reward * prev_action, reward


@pytest.fixture
def registries():
    learners, layouts = dict(LEARNERS), dict(LAYOUTS)
    yield
    for registry, before in ((LEARNERS, learners), (LAYOUTS, layouts)):
        registry.clear()
        registry.update(before)


def test_a_toy_learner_and_a_toy_world_run_through_symla_transfer(registries, tmp_path, capsys):
    register_learner("leaning", Leaning)
    register_layout(GridLayout("toy5", grid(1, 5), kinds((1, 1.0, 0.0, 1.0), (1, -1.0, 0.0, 1.0)), 25, moves=2,
                               observation="compact"))
    learner = Leaning(bias=1.0)
    checkpoint = tmp_path / "meta_params.msgpack"
    save(checkpoint, learner.init_params(jax.random.PRNGKey(0)),
         {"learner": "leaning", "learner_settings": dataclasses.asdict(learner), "identity": {"seed": 7}})
    out = tmp_path / "transfer"
    assert main(["transfer", "--checkpoint", str(checkpoint), "--split", "gridworld-toy5", "gridworld-toy5-swapped",
                 "--lifetimes", "8", "--lifetime", "50", "--out-dir", str(out)]) == 0, capsys.readouterr().err
    lifetimes = pd.read_csv(out / "lifetimes.csv")
    assert set(lifetimes["learner"]) == {"leaning", "random", "reinforce"}
    assert set(lifetimes["split"]) == {"gridworld-toy5", "gridworld-toy5-swapped"}
    assert (lifetimes[lifetimes["learner"] == "leaning"]["seed"] == 7).all()
    assert (out / "transfer.png").stat().st_size > 0


def test_register_learner_refuses_what_is_not_a_learner_and_a_taken_name(registries):
    with pytest.raises(TypeError, match="dataclass implementing Learner"):
        register_learner("nothing", object)
    with pytest.raises(ValueError, match="already registered as 'symla'"):
        register_learner("symla", Leaning)
    assert register_learner("leaning", Leaning) is register_learner("leaning", Leaning)
