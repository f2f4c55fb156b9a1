"""Look at the verdict page as a reader does: headless Chromium renders it, takes a screenshot and
dumps the rendered DOM; the check fails unless every check of claims.json is on the page with its
verdict and the screenshot shows content (not a blank or error page).

    python workflow/scripts/screenshot_verdicts.py results/quick/verify [--out verdicts.png]

Needs Chromium (Debian: apt-get install chromium). Exit status 0 when the page is right.
"""

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import matplotlib.image


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    sys.exit("screenshot: Chromium not found; install it (Debian: apt-get install chromium)")


def render(page: Path, out: Path, width=1280, height=2400) -> str:
    base = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            f"--window-size={width},{height}"]
    with tempfile.TemporaryDirectory() as profile:
        base.append(f"--user-data-dir={profile}")
        subprocess.run(base + [f"--screenshot={out}", page.resolve().as_uri()], check=True,
                       capture_output=True, timeout=120)
        dom = subprocess.run(base + ["--dump-dom", page.resolve().as_uri()], check=True,
                             capture_output=True, text=True, timeout=120).stdout
    return dom


def check(verify_dir: Path, out: Path) -> list[str]:
    claims = json.loads((verify_dir / "claims.json").read_text())
    dom = render(verify_dir / "verdicts.html", out)
    problems = [f"check {name} is not on the page" for name in claims["claims"] if name not in dom]
    verdicts = dom.count("class=\"pass\"") + dom.count("class=\"fail\"")
    if verdicts != claims["total"]:
        problems.append(f"{verdicts} verdict cells on the page, {claims['total']} checks in claims.json")
    if f"{claims['passed']} of {claims['total']} checks pass" not in dom:
        problems.append("the summary line does not match claims.json")
    pixels = matplotlib.image.imread(out)[..., :3]
    ink = float((pixels.mean(-1) < 0.9).mean())
    if ink < 0.02:
        problems.append(f"the screenshot is nearly blank ({ink:.1%} of pixels not white)")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("verify_dir", type=Path, help="results/<scale>/verify")
    parser.add_argument("--out", type=Path, default=Path("verdicts.png"), help="screenshot (default: %(default)s)")
    args = parser.parse_args()
    problems = check(args.verify_dir, args.out)
    for p in problems:
        print(f"screenshot: {p}")
    print(f"screenshot: {args.out} ({'OK' if not problems else 'FAILED'})")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
