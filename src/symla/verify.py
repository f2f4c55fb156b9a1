"""Verify: a machine-readable verdict per claim, a manifest of artifact hashes, and comparison.

claims.json   one entry per claim of params.yaml: statistic, 95% CI, threshold, pass/fail
forest.png    every check's difference and CI against its threshold (figures.forest_plot)
verdicts.html the verdict page and report.rst the report's landing page (symla.report)
manifest.json sha256 of every deterministic artifact of a scale (final meta-parameters, meta-test
              and aggregated tables, figures); logs, benchmarks and resumable state are left out
              because they record wall time
``compare`` tells, for two manifests or two claims files, what is bit-identical, what differs
within tolerance (claims only: every statistic within the CI half-width) and what is different.
"""

import json
from pathlib import Path

import pandas as pd

from symla.analysis import claim_statistic
from symla.checkpoint import atomic_write_text, sha256_file
from symla.errors import SymlaError

MANIFEST_PATTERNS = ("settings/**/*.json", "runs/**/meta_params.msgpack", "eval/**/*.csv", "aggregate/**/*.csv",
                     "figures/**/*.png", "figures/**/*.pdf", "runs/**/training_curve.png",
                     "verify/forest.png", "verify/forest.pdf")


def _json_safe(x):
    """NaN (an undefined statistic, e.g. no episode ended) becomes null: strict JSON."""
    if isinstance(x, float) and x != x:
        return None
    if isinstance(x, dict):
        return {k: _json_safe(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_json_safe(v) for v in x]
    return x


def write_json(path, data):
    """Written atomically (temp file + rename), as every result is."""
    atomic_write_text(path, json.dumps(_json_safe(data), indent=2, sort_keys=True) + "\n")


def build_manifest(results_dir) -> dict:
    root = Path(results_dir)
    files = sorted({p for pattern in MANIFEST_PATTERNS for p in root.glob(pattern) if p.is_file()})
    return {"kind": "symla-manifest", "root": str(root),
            "files": {str(p.relative_to(root)): sha256_file(p) for p in files}}


def verify_claims(params: dict, aggregate_dir) -> dict:
    tables = {}
    verdicts = {}
    for name, claim in sorted(params.get("claims", {}).items()):
        exp = claim["experiment"]
        if exp not in tables:
            path = Path(aggregate_dir) / exp / "lifetimes.csv"
            if not path.exists():
                raise SymlaError(f"{path} is missing; run the aggregate step of experiment {exp!r} first")
            tables[exp] = pd.read_csv(path)
        verdicts[name] = {"claim": claim.get("claim"), "experiment": exp, "text": claim["text"],
                          "a": claim["a"], "b": claim.get("b"), **claim_statistic(tables[exp], claim)}
    return {"kind": "symla-claims", "scale": params["scale"], "claims": verdicts,
            "passed": sum(v["passed"] for v in verdicts.values()), "total": len(verdicts)}


def metrics_files(claims: dict) -> dict:
    """DVC's metrics (verify/metrics/): all_checks.json with the pass count, and per check one file
    with its paired difference and pass (1/0). One file per check makes `dvc metrics show` a table
    of one row per check that fits 120 columns; claims.json keeps every statistic."""
    files = {"all_checks.json": {"pass": claims["passed"], "checks": claims["total"]}}
    for name, v in claims["claims"].items():
        files[f"{name}.json"] = {"difference": v["difference"], "pass": int(v["passed"])}
    return files


def read_json(path, wanted="two manifest.json or two claims.json files") -> dict:
    """A manifest.json or claims.json written by symla verify, or one line naming the file."""
    path = Path(path)
    if not path.exists() or path.is_dir():
        raise SymlaError(f"{path} does not exist or is a directory; give {wanted}")
    try:
        data = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise SymlaError(f"{path} is not JSON ({err}); give {wanted} written by symla verify") from None
    if not isinstance(data, dict):
        raise SymlaError(f"{path} is not {wanted} written by symla verify")
    return data


def compare(path_a, path_b) -> list[tuple[str, str, str]]:
    """Rows of (item, status, detail); status is identical, within tolerance, different, missing.
    A results directory in place of a manifest is hashed as verify would hash it: the way to
    check a workspace (e.g. after `dvc pull`, since DVC trusts its local cache) against the
    committed reference's manifest."""
    a, b = (build_manifest(p) if Path(p).is_dir() else read_json(p) for p in (path_a, path_b))
    if a.get("kind") != b.get("kind") or a.get("kind") not in ("symla-manifest", "symla-claims"):
        raise SymlaError("compare needs two manifest.json files or two claims.json files")
    rows = []
    if a["kind"] == "symla-manifest":
        for item in sorted(set(a["files"]) | set(b["files"])):
            ha, hb = a["files"].get(item), b["files"].get(item)
            if ha is None or hb is None:
                rows.append((item, "missing", f"only in {'B' if ha is None else 'A'}"))
            else:
                rows.append((item, "bit-identical" if ha == hb else "different", ""))
        return rows
    for item in sorted(set(a["claims"]) | set(b["claims"])):
        ca, cb = a["claims"].get(item), b["claims"].get(item)
        if ca is None or cb is None:
            rows.append((item, "missing", f"only in {'B' if ca is None else 'A'}"))
            continue
        keys = ("a_mean", "b_mean", "difference", "ci_low", "ci_high")
        if all(ca[k] == cb[k] for k in keys) and ca["passed"] == cb["passed"]:
            rows.append((item, "bit-identical", ""))
            continue
        if any(c[k] is None for c in (ca, cb) for k in keys):
            rows.append((item, "different", "a statistic is undefined (null) in one of them"))
            continue
        tol = max(ca["ci_high"] - ca["ci_low"], cb["ci_high"] - cb["ci_low"]) / 2
        close = all(abs(ca[k] - cb[k]) <= tol for k in ("a_mean", "b_mean", "difference"))
        detail = f"difference {ca['difference']:.4g} vs {cb['difference']:.4g} (tolerance {tol:.3g})"
        if ca["passed"] != cb["passed"]:
            rows.append((item, "different", detail + f"; verdict {ca['passed']} vs {cb['passed']}"))
        else:
            rows.append((item, "within tolerance" if close else "different", detail))
    return rows


# What a verdict means below the scale at which the claims are judged (quick): said first on every
# verdict page, landing page and verdict table of such a run.
SCALE_NOTES = {"smoke": "Scale smoke tests the plumbing, not the paper: its runs are too few and too short "
                        "(params.yaml, scales.smoke) for a verdict to say whether a claim holds; these verdicts "
                        "only show that every step runs. Run scale quick to judge the claims."}


TABLE_START = "<!-- verdicts: generated by `symla readme-table`; do not edit by hand -->"
TABLE_END = "<!-- end of verdicts -->"
TEST_WORDS = {"greater": "> {t:g}", "less": "< {t:g}", "within": "within +-{t:g}"}


def _fmt(x) -> str:
    return "n/a" if x is None or x != x else f"{x:+.3g}"


def verdict_table(claims: dict) -> str:
    """The README's verdict table: one row per check of claims.json, grouped by paper claim."""
    note = SCALE_NOTES.get(claims["scale"])
    scale = claims["scale"]
    rows = [*([f"**{note}**", ""] if note else []),
            f"Verdicts at scale {scale}: {claims['passed']} of {claims['total']} checks pass "
            f"(`results/{scale}/verify/claims.json`).", "",
            "| paper claim | check | statistic (a - b) | difference [95% CI] | needs | verdict |",
            "|---|---|---|---|---|---|"]
    for name, v in sorted(claims["claims"].items(), key=lambda kv: (kv[1].get("claim") or 0, kv[0])):
        b = f" - {v['b']['learner']} on {v['b']['split']}" if v.get("b") else ""
        stat = f"{v['metric']}: {v['a']['learner']} on {v['a']['split']}{b}"
        ci = f"{_fmt(v['difference'])} [{_fmt(v['ci_low'])}, {_fmt(v['ci_high'])}]"
        threshold = (-v["threshold"] if v["test"] == "less" else v["threshold"]) + 0.0
        needs = TEST_WORDS[v["test"]].format(t=threshold)
        verdict = "PASS" if v["passed"] else "FAIL"
        rows.append(f"| {v.get('claim')} | `{name}` | {stat} | {ci} | {needs} | **{verdict}** |")
    return "\n".join([TABLE_START, *rows, TABLE_END])


def replace_verdict_table(readme: str, claims: dict) -> str:
    if TABLE_START not in readme or TABLE_END not in readme:
        raise SymlaError(f"README has no verdict table markers; add the lines {TABLE_START!r} and {TABLE_END!r}")
    head, rest = readme.split(TABLE_START, 1)
    _, tail = rest.split(TABLE_END, 1)
    return head + verdict_table(claims) + tail
