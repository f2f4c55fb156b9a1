"""ES meta-training: OpenAI-ES (Salimans et al. 2017, arXiv 1703.03864) through evosax's Open_ES.

One generation = ask -> every lifetime of every member -> tell, as one jitted function. The two
members of an antithetic pair see the same environments and keys (common random numbers), and
the centre of the search distribution is evaluated on the first pair's environments. evosax
minimises; the sign flip lives only in ``_to_evosax_fitness``.

All randomness derives from the run's seed: the generation key is fold_in(run_key, generation),
so a run restarted from a checkpoint at generation g draws exactly what an uninterrupted run does.
"""

import dataclasses
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
from evosax.algorithms import Open_ES
from evosax.core.fitness_shaping import centered_rank_fitness_shaping_fn, identity_fitness_shaping_fn
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from symla.learners import Learner
from symla.rollout import run_lifetimes, run_population

FITNESS_SHAPING = {"centered_rank": centered_rank_fitness_shaping_fn, "none": identity_fitness_shaping_fn}


def canonical(tree):
    """Strong-typed arrays: a fresh, a carried and a restored state then compile to the same code."""
    return jax.tree.map(lambda x: jnp.asarray(x, dtype=jnp.asarray(x).dtype), tree)


def shard_population(tree):
    """Spread the population axis over every visible device (GPUs of a node, or forced CPU
    devices); XLA then runs each device's members locally. A no-op on one device."""
    devices = jax.devices()
    leading = jax.tree.leaves(tree)[0].shape[0]
    if len(devices) == 1 or leading % len(devices):
        return tree
    mesh = Mesh(np.array(devices), ("population",))
    return jax.lax.with_sharding_constraint(tree, NamedSharding(mesh, PartitionSpec("population")))


def _to_evosax_fitness(lifetime_reward):
    """evosax minimises; we maximise lifetime reward. The only sign flip in the project."""
    return -lifetime_reward


@dataclasses.dataclass(frozen=True, eq=False)
class MetaTrainer:
    """ES meta-training of ``learner`` on ``split`` with lifetimes of ``lifetime`` steps."""

    learner: Learner
    split: object
    lifetime: int
    pairs: int
    lifetimes_per_member: int
    noise_std: float
    learning_rate: float
    fitness_shaping: str = "centered_rank"
    member_chunk: int | None = None  # members evaluated at once (memory / CPU cache); None = all
    # built once by __post_init__: evosax's OpenES and the jitted generation
    strategy: Any = dataclasses.field(init=False, repr=False)
    generation: Any = dataclasses.field(init=False, repr=False)

    def __post_init__(self):
        template = self.learner.init_params(jax.random.PRNGKey(0))
        strategy = Open_ES(
            population_size=2 * self.pairs,
            solution=template,
            use_antithetic_sampling=True,
            optimizer=optax.adam(self.learning_rate),
            std_schedule=optax.constant_schedule(self.noise_std),
            fitness_shaping_fn=FITNESS_SHAPING[self.fitness_shaping],
        )
        object.__setattr__(self, "strategy", strategy)
        object.__setattr__(self, "generation", jax.jit(self._generation))

    @property
    def env_steps_per_generation(self) -> int:
        """Members' lifetimes plus the centre's evaluation lifetimes."""
        return (2 * self.pairs + 1) * self.lifetimes_per_member * self.lifetime

    def init(self, seed: int, centre=None):
        """ES state for a run; the search centre starts at the learner's initial meta-parameters,
        or at ``centre`` (a curriculum stage continues from the previous stage's result)."""
        k_params, k_es = jax.random.split(jax.random.PRNGKey(seed))
        centre = self.learner.init_params(k_params) if centre is None else centre
        return canonical(self.strategy.init(k_es, centre, self.strategy.default_params))

    def run_key(self, seed: int):
        return jax.random.fold_in(jax.random.PRNGKey(seed), 1)

    def _generation(self, state, run_key, generation):
        """One ES generation; returns the new state and its fitness metrics (maximised)."""
        key = jax.random.fold_in(run_key, generation)
        k_ask, k_env, k_tell = jax.random.split(key, 3)
        population, state = self.strategy.ask(k_ask, state, self.strategy.default_params)
        pair_keys = jax.random.split(k_env, (self.pairs, self.lifetimes_per_member))
        member_keys = jnp.concatenate([pair_keys, pair_keys])  # member i and i + pairs are a pair
        population, member_keys = shard_population((population, member_keys))
        fitness = self._population_fitness(population, member_keys)
        centre = self.strategy.get_mean(state)
        centre_fitness = run_lifetimes(self.learner, self.split, centre, pair_keys[0], self.lifetime).fitness.mean()
        state, _ = self.strategy.tell(k_tell, population, _to_evosax_fitness(fitness), state,
                                      self.strategy.default_params)
        metrics = {"fitness_mean": fitness.mean(), "fitness_best": fitness.max(),
                   "fitness_worst": fitness.min(), "fitness_centre": centre_fitness}
        return canonical(state), metrics

    def _population_fitness(self, population, member_keys):
        """Mean lifetime reward per member, ``member_chunk`` members at a time if set."""
        return run_population(self.learner, self.split, population, member_keys, self.lifetime,
                              member_chunk=self.member_chunk).fitness.mean(axis=1)

    def meta_params(self, state):
        """The search centre: what the run delivers as its meta-parameters."""
        return self.strategy.get_mean(state)
