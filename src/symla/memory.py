"""Memory estimates, so ES and evaluation chunk their work to fit a stated device memory and each
SLURM job can declare mem_mb from its size.

The estimate is deliberately simple: the bytes of one agent's lifetime state (learner state,
environment state and the rollout carry) times a safety factor for XLA's temporaries, measured
to be under 8 on CPU for SymLA (the gate pre-activations are the largest temporary: 4x the h/c
state). Nothing per step is kept, so lifetime length does not enter.
"""

import math

from symla.envs.catalog import parse_split

XLA_TEMPORARY_FACTOR = 8
BASE_PROCESS_MB = 1500  # python, jax, compiled executables
UNKNOWN_ENV_BYTES = 4096  # a gymnax id's state before it is built (parse time only)


def agent_bytes(learner, split) -> int:
    """Bytes of one agent's carried state (learner + environment + observation), from static
    sizes alone: ``learner`` is a learner or its settings (symla.shapes), ``split`` a Split or a
    SplitSpec (symla.envs.catalog). tests/test_rollout.py checks it against jax.eval_shape."""
    spec = parse_split(split.name)
    obs_size = split.obs_size if split.obs_size is not None else spec.obs_size
    num_actions = split.num_actions if split.num_actions is not None else spec.num_actions
    if obs_size is None:  # a gymnax id at parse time: sizes are known once it is built
        return UNKNOWN_ENV_BYTES
    env = spec.env_state_bytes if spec.env_state_bytes is not None else 4 * obs_size + 64
    return learner.state_bytes(obs_size, num_actions) + env


def agents_that_fit(learner, split, memory_mb: float) -> int:
    budget = max(memory_mb - BASE_PROCESS_MB, 64) * 2**20
    return max(1, int(budget // (XLA_TEMPORARY_FACTOR * agent_bytes(learner, split))))


def job_mem_mb(learner, split, agents: int) -> int:
    """mem_mb to request for a job that runs ``agents`` lifetimes at once."""
    need = BASE_PROCESS_MB + XLA_TEMPORARY_FACTOR * agents * agent_bytes(learner, split) / 2**20
    return int(math.ceil(need / 500.0) * 500)


CPU_WORKING_SET_MB = 16  # carried agent state per chunk that stays in a CPU's caches


def cpu_cache_agents(learner, split) -> int:
    """Agents whose carried state fits CPU_WORKING_SET_MB. Past it every step streams the state
    from DRAM: SymLA's cost per agent-step rose 1.4x (75x5) and 2x (105x9) from 256 to 1024
    agents run at once on the 2-core EPYC (benchmarks/throughput.py), but not in chunks."""
    return max(1, int(CPU_WORKING_SET_MB * 2**20 // agent_bytes(learner, split)))


def largest_divisor_at_most(n: int, cap: int) -> int:
    return max(d for d in range(1, n + 1) if n % d == 0 and d <= max(cap, 1))


def member_chunk(learner, split, es, cpu_cache: bool = False) -> int | None:
    """ES members per chunk (``es``: config.ESSettings) so one chunk's lifetimes fit
    es.device_memory_mb and, with ``cpu_cache``, the CPU's cache working set (None: all members
    at once)."""
    size, per_member = 2 * es.pairs, es.lifetimes_per_member
    caps = []
    if es.device_memory_mb is not None:
        caps.append(agents_that_fit(learner, split, es.device_memory_mb) // per_member)
    if cpu_cache:
        caps.append(cpu_cache_agents(learner, split) // per_member)
    chunk = largest_divisor_at_most(size, min(caps)) if caps else size
    return None if chunk == size else chunk
