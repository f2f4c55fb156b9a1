rule evaluate:
    """Meta-test one checkpoint on every held-out split of its experiment (many lifetimes)."""
    input:
        f"{RESULTS}/runs/{{experiment}}/{{learner}}/seed{{seed}}/meta_params.msgpack",
    output:
        lifetimes=f"{RESULTS}/eval/{{experiment}}/{{learner}}/seed{{seed}}/lifetimes.csv",
        bins=f"{RESULTS}/eval/{{experiment}}/{{learner}}/seed{{seed}}/bins.csv",
    params:
        settings=lambda w: settings(w.experiment),
        code=code_hash("evaluate"),
        scale=SCALE,
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
        "PYTHONPATH=src python -m symla.cli evaluate --params params.yaml --scale {params.scale:q} --experiment {wildcards.experiment:q}"
        " --learner {wildcards.learner:q} --seed {wildcards.seed:q} --checkpoint {input:q}"
        " --out-dir \"$(dirname {output.lifetimes:q})\" > {log:q} 2>&1"


rule baselines:
    """The random policy and a known-good reference (on bandits the best arm) on the same lifetimes."""
    output:
        lifetimes=f"{RESULTS}/eval/{{experiment}}/baselines/lifetimes.csv",
        bins=f"{RESULTS}/eval/{{experiment}}/baselines/bins.csv",
    params:
        settings=lambda w: settings(w.experiment),
        baselines=config["defaults"].get("baselines", {}),
        code=code_hash("baselines"),
        scale=SCALE,
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
        "PYTHONPATH=src python -m symla.cli baselines --params params.yaml --scale {params.scale:q} --experiment {wildcards.experiment:q}"
        " --out-dir \"$(dirname {output.lifetimes:q})\" > {log:q} 2>&1"


rule aggregate:
    """Tidy tables of one experiment across learners, seeds and baselines; summary with 95% CIs."""
    input:
        lambda w: [f"{RESULTS}/eval/{w.experiment}/{l}/seed{s}/lifetimes.csv"
                   for l in EXPERIMENTS[w.experiment].learners for s in EXPERIMENTS[w.experiment].seeds]
        + [f"{RESULTS}/eval/{w.experiment}/baselines/lifetimes.csv"],
    output:
        lifetimes=f"{RESULTS}/aggregate/{{experiment}}/lifetimes.csv",
        bins=f"{RESULTS}/aggregate/{{experiment}}/bins.csv",
        summary=f"{RESULTS}/aggregate/{{experiment}}/summary.csv",
    params:
        dirs=lambda w, input: sorted({str(Path(p).parent) for p in input}),
        code=code_hash("aggregate"),
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/aggregate/{{experiment}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/aggregate/{{experiment}}.tsv"
    shell:
        "PYTHONPATH=src python -m symla.cli aggregate --inputs {params.dirs:q} --out-dir \"$(dirname {output.lifetimes:q})\" > {log:q} 2>&1"
