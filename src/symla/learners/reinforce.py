"""A hand-written within-lifetime learner: REINFORCE with an eligibility trace (Williams 1992).

The yardstick for every split: "can this task be learned within one lifetime from this
observation at all?" It gets exactly SymLA's information (observation, previous action as a
one-hot, reward) and, like SymLA, no prior about which input or action means what: a linear
softmax policy over [observation, 1] whose weights start at zero every lifetime, so it is
permutation invariant too. It is the human-engineered learning rule the paper argues black-box
learners should match, and it has no meta-parameters: its three hyperparameters are fixed in
params.yaml (``baselines.reinforce``).

Step t receives r_{t-1}, the reward of action a_{t-1} taken on observation o_{t-1}:
  e <- trace_decay * e + grad log pi(a_{t-1} | o_{t-1})       (zero before the first action)
  W <- W + learning_rate * (r_{t-1} - b) * e
  b <- baseline_decay * b + (1 - baseline_decay) * r_{t-1}    (running mean reward)
then acts on o_t with logits [o_t, 1] W.
"""

import dataclasses

import jax
import jax.numpy as jnp

from symla.learners import FixedPolicy


@dataclasses.dataclass(frozen=True)
class Reinforce(FixedPolicy):
    learning_rate: float = 0.1
    trace_decay: float = 0.9
    baseline_decay: float = 0.99

    def init_state(self, params, key, obs_size, num_actions):
        return {"w": jnp.zeros((obs_size + 1, num_actions), jnp.float32),
                "trace": jnp.zeros((obs_size + 1, num_actions), jnp.float32),
                "x": jnp.zeros((obs_size + 1,), jnp.float32),
                "probs": jnp.full((num_actions,), 1.0 / num_actions, jnp.float32),
                "baseline": jnp.zeros((), jnp.float32)}

    def step(self, params, state, obs, prev_action, reward):
        grad = jnp.outer(state["x"], prev_action - state["probs"]) * prev_action.sum()  # 0 at the start
        trace = self.trace_decay * state["trace"] + grad
        w = state["w"] + self.learning_rate * (reward - state["baseline"]) * trace
        baseline = self.baseline_decay * state["baseline"] + (1 - self.baseline_decay) * reward
        x = jnp.concatenate([jnp.asarray(obs, jnp.float32).reshape(-1), jnp.ones((1,), jnp.float32)])
        logits = x @ w
        return logits, {"w": w, "trace": trace, "x": x, "probs": jax.nn.softmax(logits), "baseline": baseline}
