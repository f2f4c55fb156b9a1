rule settings:
    """What one job computes from: its scoped part of the resolved experiment (symla.stages)."""
    output:
        outputs("settings")["json"],
    params:
        json=lambda w: settings_json(stage("settings", w).settings),
        code=code_hash("settings"),
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/settings/{{target}}.log",
    localrule: True
    shell:
        "PYTHONPATH=src python -m symla.cli settings --json {params.json:q} --out {output:q} > {log:q} 2>&1"


rule train:
    """Meta-train one learner with ES; a rerun resumes from the run's newest checkpoint."""
    input:
        deps("train"),
    output:
        **outputs("train"),
    params:
        cmd=cmd("train"),
        code=code_hash("train"),
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/train/{{experiment}}/{{learner}}/seed{{seed}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/train/{{experiment}}/{{learner}}/seed{{seed}}.tsv"
    threads: 1
    # Longest first (estimated minutes): the long grid-world runs must not start last and leave
    # one core idle at the end (measured: 8 of 97.7 min with one job running).
    priority: lambda w: training_minutes(w.experiment, w.learner)
    resources:
        mem_mb=lambda w: job_resources(EXPERIMENTS[w.experiment], w.learner, "train")["mem_mb"],
        runtime=lambda w: 60 if SCALE != "paper" else 1440,
        gpu=lambda w: 1 if uses_gpu() else 0,
    shell:
        "{params.cmd} > {log:q} 2>&1"


rule curve:
    """One run's training curve, drawn from its log (its own job: figure code is not training code)."""
    input:
        deps("curve"),
    output:
        png=report(
            outputs("curve")["png"],
            caption="../report/training_curve.rst",
            category="Training curves",
            subcategory="{experiment}",
            labels={"learner": "{learner}", "seed": "{seed}"},
        ),
        pdf=outputs("curve")["pdf"],
    params:
        cmd=cmd("curve"),
        code=code_hash("curve"),
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/curve/{{experiment}}/{{learner}}/seed{{seed}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/curve/{{experiment}}/{{learner}}/seed{{seed}}.tsv"
    shell:
        "{params.cmd} > {log:q} 2>&1"
