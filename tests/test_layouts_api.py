"""The layout registration API: research and extensions add worlds without editing the package."""

import pytest

from symla.envs.catalog import parse_split
from symla.envs.layouts import LAYOUTS, GridLayout, grid, kinds, register_layout


@pytest.fixture
def restore_layouts():
    before = dict(LAYOUTS)
    yield
    LAYOUTS.clear()
    LAYOUTS.update(before)


def test_a_registered_layout_is_a_split_with_every_variant(restore_layouts):
    world = GridLayout("toy5", grid(1, 5), kinds((1, 1.0, 0.0, 1.0), (1, -1.0, 0.0, 1.0)), 50, moves=2,
                       observation="compact")
    assert register_layout(world) is world
    assert register_layout(world) is world  # the same one again: nothing changes
    assert LAYOUTS["toy5"] is world
    spec = parse_split("gridworld-toy5-swapped-permuted")
    assert (spec.layout, spec.swapped, spec.permuted, spec.num_actions) == ("toy5", True, True, 2)
    with pytest.raises(ValueError, match="already registered as 'toy5'"):
        register_layout(GridLayout("toy5", grid(1, 6), world.object_types, 50, moves=2, observation="compact"))
    with pytest.raises(ValueError, match="lower-case"):
        register_layout(GridLayout("Toy-5", grid(1, 5), world.object_types, 50, moves=2, observation="compact"))


def test_the_package_holds_only_the_layouts_of_experiments_and_tests():
    """The research candidates are not in the package until research/layouts.py registers them."""
    assert "fork7q" not in LAYOUTS and "sway9" not in LAYOUTS
    assert {"tiny", "ego", "fork3p", "fork3q", "fork5p", "quad7r"} <= set(LAYOUTS)
