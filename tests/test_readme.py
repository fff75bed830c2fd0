"""The README's tour runs and prints what its comments say; its two commands are the CI's."""

import contextlib
import io
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_tour_runs_and_prints_what_it_claims():
    (code,) = re.findall(r"```python\n(.*?)```", README, re.S)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    claimed = [line.split("# ")[-1].strip() for line in code.splitlines() if line.startswith("print(")]
    assert out.getvalue().splitlines() == claimed
    # the neuron's numbers, by hand: z = 0.5·2 + (−0.3)(−1) + 0.1 = 1.4, σ(1.4) = 0.8022,
    # ∂a/∂w1 = σ(1.4)(1 − σ(1.4))·x1 = 0.3174
    assert claimed[0] == "0.8022 0.3174"


def test_readme_commands_match_ci():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install -e ".[test]" && pytest' in README
    assert "pip install . && microgradx demo" in README
    assert "pytest" in ci and '".[test' in ci


def test_every_image_and_local_link_in_the_readme_exists():
    targets = re.findall(r'<img src="([^"]+)"', README) + re.findall(r"\]\(([^)#]+)\)", README)
    local = [t for t in targets if "://" not in t]
    assert len(local) >= 8  # the two pictures at the top and the guide's pages
    missing = [t for t in local if not (ROOT / t).exists()]
    assert missing == [], f"README links to files that do not exist: {missing}"
