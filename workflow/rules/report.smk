rule figure:
    """One figure per claim from the aggregated tables (seaborn, PNG and PDF)."""
    input:
        lambda w: f"{RESULTS}/aggregate/{config['figures'][w.name]['experiment']}/lifetimes.csv",
    output:
        png=report(f"{RESULTS}/figures/{{name}}.png", caption="../report/figure.rst", category="Claims"),
        pdf=f"{RESULTS}/figures/{{name}}.pdf",
    params:
        spec=lambda w: config["figures"][w.name],
        scale=SCALE,
        stem=lambda w, output: output.png[: -len(".png")],
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/figure/{{name}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/figure/{{name}}.tsv"
    shell:
        "PYTHONPATH=src python -m symla.cli figure --params params.yaml --scale {params.scale:q} --name {wildcards.name:q}"
        " --aggregate-dir \"$(dirname {input:q})\" --out {params.stem:q} > {log:q} 2>&1"


rule verify:
    """Every claim's verdict with its 95% CI, and the sha256 manifest of every artifact."""
    input:
        aggregates=expand(f"{RESULTS}/aggregate/{{experiment}}/lifetimes.csv", experiment=list(EXPERIMENTS)),
        figures=expand(f"{RESULTS}/figures/{{name}}.png", name=list(config.get("figures", {}))),
        curves=[f"{run_dir(*r)}/training_curve.png" for r in runs()],
    output:
        claims=report(f"{RESULTS}/verify/claims.json", caption="../report/verify.rst", category="Verify"),
        summary=f"{RESULTS}/verify/summary.json",
        manifest=f"{RESULTS}/verify/manifest.json",
    params:
        claims=config.get("claims", {}),
        scale=SCALE,
        results=lambda w, output: str(Path(output.claims).parents[1]),
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/verify.log",
    benchmark:
        f"{RESULTS}/benchmarks/verify.tsv"
    shell:
        "PYTHONPATH=src python -m symla.cli verify --params params.yaml --scale {params.scale:q} --aggregate-dir {params.results:q}/aggregate"
        " --results-dir {params.results:q} --out-dir \"$(dirname {output.claims:q})\" > {log:q} 2>&1"
