"""ES meta-training: common random numbers, the fitness sign, one-line CLI errors (checkpoints and
resume after a kill: test_checkpoints.py)."""

import dataclasses
import subprocess
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import yaml

from symla.envs.bandit import BernoulliBandit
from symla.envs.splits import Split
from symla.es import MetaTrainer

REPO = Path(__file__).resolve().parents[1]


@dataclasses.dataclass(frozen=True)
class FixedPolicy:
    """A 'learner' whose logits are its meta-parameters: ES must learn to prefer the good arm."""

    def init_params(self, key):
        return {"logits": jnp.zeros(2)}

    def init_state(self, params, key, obs_size, num_actions):
        return ()

    def step(self, params, state, obs, prev_action, reward):
        return params["logits"], state


def fixed_bandit_split():
    env = BernoulliBandit(2)
    params = env.default_params.replace(arm_probs=jnp.array([0.1, 0.9]))
    return Split("fixed-bandit", env, 1, 2, lambda key: params)


def test_es_maximises_lifetime_reward_and_pairs_share_environments():
    trainer = MetaTrainer(FixedPolicy(), fixed_bandit_split(), lifetime=20, pairs=8,
                          lifetimes_per_member=4, noise_std=0.1, learning_rate=0.1,
                          fitness_shaping="centered_rank")
    state = trainer.init(0)
    run_key = trainer.run_key(0)
    first = None
    for gen in range(40):
        state, metrics = trainer.generation(state, run_key, gen)
        first = first if first is not None else float(metrics["fitness_centre"])
    logits = trainer.meta_params(state)["logits"]
    assert float(logits[1] - logits[0]) > 1.0  # learned to prefer the 0.9 arm
    assert float(metrics["fitness_centre"]) > first + 4.0  # about 10 at start, 18 at best

    # common random numbers: with zero noise both members of a pair score the same
    noiseless = dataclasses.replace(trainer, noise_std=1e-30)
    population, _ = noiseless.strategy.ask(jax.random.PRNGKey(0), noiseless.init(0), noiseless.strategy.default_params)
    pair_keys = jax.random.split(jax.random.PRNGKey(1), (8, 4))
    from symla.rollout import run_population
    fitness = run_population(FixedPolicy(), trainer.split, population,
                             jnp.concatenate([pair_keys, pair_keys]), 20).fitness.mean(1)
    np.testing.assert_array_equal(fitness[:8], fitness[8:])


def smoke_params(tmp_path, generations=10, checkpoint_every=2):
    params = yaml.safe_load((REPO / "params.yaml").read_text())
    params["scale"] = "smoke"
    params["scales"]["smoke"]["es"].update(generations=generations, checkpoint_every=checkpoint_every)
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(params))
    return path


def train_cmd(params, out):
    return [sys.executable, "-m", "symla.cli", "train", "--params", str(params), "--experiment", "bandits",
            "--learner", "symla", "--seed", "0", "--out", str(out)]


def test_cli_errors_are_one_line(tmp_path):
    params = smoke_params(tmp_path)
    for extra, message in [
        (["--experiment", "nope", "--learner", "symla"], "unknown experiment 'nope'; known experiments: bandits"),
        (["--experiment", "bandits", "--learner", "lstm"], "unknown learner 'lstm' for experiment 'bandits'"),
    ]:
        out = subprocess.run([sys.executable, "-m", "symla.cli", "train", "--params", str(params), *extra,
                              "--seed", "0", "--out", str(tmp_path / "o")], capture_output=True, text=True, cwd=REPO)
        assert out.returncode == 2
        assert out.stderr.strip().splitlines() == [f"symla: error: {out.stderr.strip()[len('symla: error: '):]}"]
        assert message in out.stderr
