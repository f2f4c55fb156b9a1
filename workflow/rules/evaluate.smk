rule evaluate:
    """Meta-test one checkpoint on every held-out split of its experiment (many lifetimes)."""
    input:
        deps("evaluate"),
    output:
        **outputs("evaluate"),
    params:
        cmd=cmd("evaluate"),
        code=code_hash("evaluate"),
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/evaluate/{{experiment}}/{{learner}}/seed{{seed}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/evaluate/{{experiment}}/{{learner}}/seed{{seed}}.tsv"
    threads: 1
    resources:
        mem_mb=lambda w: job_resources(EXPERIMENTS[w.experiment], w.learner, "evaluate")["mem_mb"],
        runtime=lambda w: 30 if SCALE != "paper" else 240,
        gpu=lambda w: 1 if uses_gpu() else 0,
    shell:
        "{params.cmd} > {log:q} 2>&1"


rule baselines:
    """Random policy, the REINFORCE yardstick and a known-good reference on the same lifetimes."""
    input:
        deps("baselines"),
    output:
        **outputs("baselines"),
    params:
        cmd=cmd("baselines"),
        code=code_hash("baselines"),
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/baselines/{{experiment}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/baselines/{{experiment}}.tsv"
    resources:
        mem_mb=2000,
        runtime=30,
    shell:
        "{params.cmd} > {log:q} 2>&1"


rule aggregate:
    """Tidy tables of one experiment across learners, seeds and baselines; summary with 95% CIs."""
    input:
        deps("aggregate"),
    output:
        **outputs("aggregate"),
    params:
        cmd=cmd("aggregate"),
        code=code_hash("aggregate"),
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/aggregate/{{experiment}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/aggregate/{{experiment}}.tsv"
    shell:
        "{params.cmd} > {log:q} 2>&1"
