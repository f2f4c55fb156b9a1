rule train:
    """Meta-train one learner with ES; a rerun resumes from the run's state.msgpack."""
    output:
        meta_params=f"{RESULTS}/runs/{{experiment}}/{{learner}}/seed{{seed}}/meta_params.msgpack",
        log_csv=f"{RESULTS}/runs/{{experiment}}/{{learner}}/seed{{seed}}/train_log.csv",
    params:
        settings=lambda w: train_settings(w.experiment),
        code=code_hash("train"),
        scale=SCALE,
        out=lambda w: run_dir(w.experiment, w.learner, w.seed),
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/train/{{experiment}}/{{learner}}/seed{{seed}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/train/{{experiment}}/{{learner}}/seed{{seed}}.tsv"
    threads: 1
    resources:
        mem_mb=lambda w: job_resources(EXPERIMENTS[w.experiment], w.learner, "train")["mem_mb"],
        runtime=lambda w: 60 if SCALE != "paper" else 1440,
        gpu=lambda w: 1 if uses_gpu() else 0,
    shell:
        "PYTHONPATH=src python -m symla.cli train --params params.yaml --scale {params.scale:q} --experiment {wildcards.experiment:q}"
        " --learner {wildcards.learner:q} --seed {wildcards.seed:q} --out {params.out:q} > {log:q} 2>&1"


rule curve:
    """One run's training curve, drawn from its log (its own job: figure code is not training code)."""
    input:
        f"{RESULTS}/runs/{{experiment}}/{{learner}}/seed{{seed}}/train_log.csv",
    output:
        png=report(
            f"{RESULTS}/runs/{{experiment}}/{{learner}}/seed{{seed}}/training_curve.png",
            caption="../report/training_curve.rst",
            category="Training curves",
            subcategory="{experiment}",
            labels={"learner": "{learner}", "seed": "{seed}"},
        ),
        pdf=f"{RESULTS}/runs/{{experiment}}/{{learner}}/seed{{seed}}/training_curve.pdf",
    params:
        code=code_hash("curve"),
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/curve/{{experiment}}/{{learner}}/seed{{seed}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/curve/{{experiment}}/{{learner}}/seed{{seed}}.tsv"
    shell:
        "PYTHONPATH=src python -m symla.cli curve --log {input:q} > {log:q} 2>&1"
