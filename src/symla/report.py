"""What a reader opens: the verdict page (verify/verdicts.html) and the Snakemake report's landing
page (verify/report.rst), both written by verify from claims.json.

The verdict page is one self-contained HTML file (figures embedded), committed with the reference
results, so it opens after a plain `git clone` or `dvc pull` with no Snakemake metadata. It
carries the provenance of the run that produced the results: the commit, the package versions
and, per training run, the generations, final fitness and wall time from its train_log.csv (kept
in the DVC remote); job runtimes from Snakemake's benchmark files where they exist. Provenance
records wall time, so these files are outside the manifest.
"""

import base64
import html
import importlib.metadata
import subprocess
from pathlib import Path

import pandas as pd

from symla.verify import SCALE_NOTES, TEST_WORDS

PACKAGES = ("jax", "jaxlib", "flax", "evosax", "gymnax", "numpy", "pandas", "seaborn", "snakemake", "dvc")


def _git(*args) -> str:
    try:
        out = subprocess.run(["git", *args], capture_output=True, text=True, timeout=20, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def provenance(results_dir) -> dict:
    """Commit, versions, per-run training facts and (where Snakemake ran) job runtimes."""
    root = Path(results_dir)
    commit = _git("rev-parse", "HEAD") or "unknown (not a git checkout)"
    dirty = bool(_git("status", "--porcelain", "--", "src", "params.yaml", "Snakefile", "workflow"))
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            pass
    runs = []
    for log in sorted(root.glob("runs/*/*/seed*/train_log.csv")):
        table = pd.read_csv(log)
        if table.empty:
            continue
        last = table.iloc[-1]
        runs.append({"experiment": log.parts[-4], "learner": log.parts[-3], "seed": int(log.parts[-2][4:]),
                     "generations": int(last["generation"]), "final_mean": float(last["fitness_mean"]),
                     "final_centre": float(last["fitness_centre"]), "env_steps": int(last["env_steps"]),
                     "wall_time_s": float(last["wall_time_s"])})
    jobs = []
    for bench in sorted(root.glob("benchmarks/**/*.tsv")):
        try:
            seconds = float(pd.read_csv(bench, sep="\t")["s"].iloc[-1])
        except (KeyError, IndexError, ValueError, pd.errors.ParserError, pd.errors.EmptyDataError):
            continue
        jobs.append({"job": str(bench.relative_to(root / "benchmarks").with_suffix("")), "seconds": seconds})
    return {"commit": commit, "dirty": dirty, "versions": versions, "runs": runs, "jobs": jobs}


def _fmt(x) -> str:
    return "n/a" if x is None or x != x else f"{x:+.3g}"


def _needs(v) -> str:
    return TEST_WORDS[v["test"]].format(t=(-v["threshold"] if v["test"] == "less" else v["threshold"]) + 0.0)


def _side(side) -> str:
    return f"{side['learner']} on {side['split']}"


def _png(path) -> str:
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode()


def _by_claim(claims):
    return sorted(claims["claims"].items(), key=lambda kv: (kv[1].get("claim") or 0, kv[0]))


def claim_tally(claims) -> str:
    tally: dict[str | None, tuple[int, int]] = {}
    for _, v in _by_claim(claims):
        passed, total = tally.get(v.get("claim"), (0, 0))
        tally[v.get("claim")] = (passed + v["passed"], total + 1)
    return ", ".join(f"claim {c}: {p}/{t}" for c, (p, t) in tally.items())


STYLE = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;width:100%;font-size:14px}th,td{border:1px solid #ccc;padding:4px 6px;text-align:left}
th{background:#f2f2f2}td.pass{color:#1a7f37;font-weight:bold}td.fail{color:#c62828;font-weight:bold}
img{max-width:100%}code{font-size:13px}.small{font-size:13px;color:#555}h2{margin-top:1.6em}
.note{background:#fff4e5;border-left:4px solid #e65100;padding:8px 12px;font-weight:bold}"""


def verdict_page(claims: dict, prov: dict, forest_png, figures: dict) -> str:
    """The verdict page: summary, every check with its statistic, the forest plot, the figures
    (``figures``: name -> (title, png path)) and the provenance."""
    e = html.escape
    scale = claims["scale"]
    rows = []
    for name, v in _by_claim(claims):
        stat = f"{v['metric']}: {_side(v['a'])}" + (f" &minus; {_side(v['b'])}" if v.get("b") else "")
        verdict = "PASS" if v["passed"] else "FAIL"
        b_mean = _fmt(v["b_mean"]) if v.get("b") else "&mdash;"
        rows.append(f"<tr><td>{v.get('claim')}</td><td><code>{e(name)}</code><br><span class=small>{e(v['text'])}"
                    f"</span></td><td>{stat}</td><td>{_fmt(v['a_mean'])}</td><td>{b_mean}"
                    f"</td><td>{_fmt(v['difference'])} [{_fmt(v['ci_low'])}, {_fmt(v['ci_high'])}]</td>"
                    f"<td>{e(_needs(v))}</td><td>{v['seeds']} &times; {v['lifetimes']}</td>"
                    f"<td class={verdict.lower()}>{verdict}</td></tr>")
    figs = "\n".join(f"<h3>{e(title)}</h3><p class=small><code>figures/{e(name)}.png</code></p>"
                     f"<img alt='{e(name)}' src='{_png(path)}'>" for name, (title, path) in figures.items())
    runs = "".join(f"<tr><td>{e(r['experiment'])}</td><td>{e(r['learner'])}</td><td>{r['seed']}</td>"
                   f"<td>{r['generations']}</td><td>{r['final_mean']:.3g}</td><td>{r['final_centre']:.3g}</td><td>{r['env_steps']:.3g}</td>"
                   f"<td>{r['wall_time_s'] / 60:.1f}</td></tr>" for r in prov["runs"])
    jobs = "".join(f"<tr><td><code>{e(j['job'])}</code></td><td>{j['seconds']:.1f}</td></tr>" for j in prov["jobs"])
    jobs_part = (f"<table><tr><th>job</th><th>seconds</th></tr>{jobs}</table>" if jobs else
                 "<p class=small>No Snakemake benchmark files beside these results (e.g. after <code>dvc pull</code>); "
                 "the training wall times above come from the runs' logs.</p>")
    versions = ", ".join(f"{e(k)} {e(v)}" for k, v in prov["versions"].items())
    commit = e(prov["commit"]) + (" (with uncommitted changes to the code or params)" if prov["dirty"] else "")
    note = SCALE_NOTES.get(scale)
    scale_note = f"\n<p class=note>{e(note)}</p>" if note else ""
    # the commit verify ran at; each run's own training facts are in the provenance table below
    return f"""<!doctype html><html lang=en><head><meta charset=utf-8><title>SymLA verdicts ({e(scale)})</title>
<style>{STYLE}</style></head><body>
<h1>SymLA reproduction: verdicts at scale {e(scale)}</h1>{scale_note}
<p><b>{claims['passed']} of {claims['total']} checks pass</b> ({claim_tally(claims)}).
Verified at commit <code>{commit}</code>.</p>
<p class=small>Each check is a paired difference a &minus; b (or a alone) of a per-lifetime metric, judged by its 95%
hierarchical bootstrap CI over meta-training seeds and, within each seed, meta-test lifetimes; thresholds are
fixed in params.yaml and justified in docs/claims.md. Machine-readable: <code>verify/claims.json</code>.</p>
<h2>Checks</h2>
<table><tr><th>paper claim</th><th>check</th><th>statistic</th><th>a</th><th>b</th><th>difference [95% CI]</th>
<th>needs</th><th>seeds &times; lifetimes</th><th>verdict</th></tr>
{''.join(rows)}</table>
<h2>Forest plot</h2><img alt=forest src='{_png(forest_png)}'>
<h2>Figures</h2>{figs}
<h2>Provenance</h2>
<p>Packages: {versions}.</p>
<h3>Training runs (from each run's train_log.csv)</h3>
<table><tr><th>experiment</th><th>learner</th><th>seed</th><th>generations</th><th>final population mean</th>
<th>final centre</th><th>env steps</th><th>wall minutes</th></tr>{runs}</table>
<h3>Job runtimes (Snakemake benchmarks)</h3>{jobs_part}
</body></html>
"""


def landing_rst(claims: dict, prov: dict, figure_names) -> str:
    """The Snakemake report's landing page (Snakefile uses it once verify has written it): what
    was reproduced, at which scale, by which commit, with links to the verdicts and figures."""
    note = SCALE_NOTES.get(claims["scale"])
    lines = [*([f"**{note}**", ""] if note else []),
             f"SymLA reproduction (Kirsch et al., AAAI 2022) at scale **{claims['scale']}**: "
             f"**{claims['passed']} of {claims['total']} checks pass** ({claim_tally(claims)}), "
             f"verified at commit ``{prov['commit'][:12]}``{' with uncommitted changes' if prov['dirty'] else ''}. "
             "ES meta-trains SymLA and MetaRNN, meta-tests them on held-out splits and judges every claim "
             "by a paired difference and its 95% hierarchical bootstrap CI over seeds and lifetimes.", "",
             "Verdict page with every statistic, forest plot and provenance: verdicts.html_; "
             "forest plot: forest.png_.", ""]
    for name, v in _by_claim(claims):
        lines.append(f"- **{'PASS' if v['passed'] else 'FAIL'}** claim {v.get('claim')}, ``{name}``: {v['text']}; "
                     f"difference {_fmt(v['difference'])} [{_fmt(v['ci_low'])}, {_fmt(v['ci_high'])}], "
                     f"needs {_needs(v)}")
    lines += ["", "Figures: " + ", ".join(f"{n}.png_" for n in figure_names) + "."]
    return "\n".join(lines).replace("{", "(").replace("}", ")") + "\n"  # rendered by Jinja: no braces
