"""Smoke test of examples/benchmark.py at tiny sizes: it runs, agrees, skips what is missing.

No timing is asserted: only that every implementation starts from the same loss as the NumPy
floor (the benchmark itself stops otherwise) and that the report has the promised fields.
"""

import importlib.util
import json
import pathlib
import sys

import pytest

pytestmark = pytest.mark.slow  # subprocess runs of whole scripts: the full suite runs them


BENCHMARK = pathlib.Path(__file__).resolve().parents[1] / "examples" / "benchmark.py"


@pytest.fixture(scope="module")
def benchmark():
    spec = importlib.util.spec_from_file_location("mgx_benchmark", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


def _by_name(task):
    return {r["name"]: r for r in task["results"]}


def test_quick_run_without_optional_engines(benchmark, tmp_path, monkeypatch):
    for name in ("torch", "autograd", "micrograd"):  # as if they were not installed
        monkeypatch.setitem(sys.modules, name, None)
    out = tmp_path / "bench.json"
    # (in this process: the engines are hidden from it only, a child process would find them)
    report = benchmark.main(["--quick", "--rounds", "1", "--no-isolate", "--json", str(out)])
    assert json.loads(out.read_text()) == json.loads(json.dumps(report))
    assert [t["key"] for t in report["tasks"]] == ["T1-f64", "T1-f32", "T2", "T3"]
    for task in report["tasks"]:
        results = _by_name(task)
        for name in ("numpy floor", "microgradx"):
            assert results[name]["status"] == "ok"
            assert results[name]["median"] > 0
        for name in ("pytorch", "hips autograd", "micrograd"):
            assert results[name]["status"].startswith("skipped")
    t3 = _by_name(report["tasks"][3])
    assert t3["microgradx"]["first"] == pytest.approx(t3["numpy floor"]["first"], rel=1e-8)
    flat = report["memory"]["flat"]["microgradx"]
    assert flat["live_tensors_after"] == flat["live_tensors_before"]
    peaks = report["memory"]["t2_peak"]
    assert 0 < peaks["numpy floor"]["step"] <= peaks["numpy floor"]["total"]
    assert peaks["microgradx"]["step"] > 0


def test_quick_run_with_installed_engines(benchmark):
    report = benchmark.main(["--quick", "--rounds", "1", "--tasks", "T1-f64,T3", "--no-memory"])
    installed = {"pytorch": "torch", "hips autograd": "autograd", "micrograd": "micrograd"}
    for task in report["tasks"]:
        results = _by_name(task)
        floor = results["numpy floor"]["first"]
        for name, module in installed.items():
            status = results[name]["status"]
            if importlib.util.find_spec(module) is None:
                assert status.startswith("skipped")
            elif status == "ok":  # the benchmark checked this already; check the check
                assert results[name]["first"] == pytest.approx(floor, rel=1e-8)


def test_format_table_marks_skips_and_ratios(benchmark):
    report = {
        "tasks": [
            {
                "title": "T",
                "rounds": 3,
                "results": [
                    {
                        "name": "numpy floor",
                        "status": "ok",
                        "times": [1e-4] * 3,
                        "median": 1e-4,
                        "ratio": 1.0,
                    },
                    {
                        "name": "microgradx",
                        "status": "ok",
                        "times": [1.2e-4] * 3,
                        "median": 1.2e-4,
                        "ratio": 1.2,
                        "faults_per_step": 40.0,
                    },
                    {
                        "name": "pytorch",
                        "status": "skipped: No module named 'torch'",
                        "times": [],
                        "median": None,
                        "ratio": None,
                    },
                ],
            }
        ]
    }
    table = benchmark.format_table(report)
    assert "1.20x" in table and "100.0 µs" in table and "skipped: No module named 'torch'" in table
    assert "40 page faults/step" in table


def test_ratio_is_the_median_of_per_round_ratios(benchmark):
    floor = benchmark.Result("numpy floor", times=[1.0, 2.0, 1.0])
    engine = benchmark.Result("microgradx", times=[1.5, 2.2, 1.3])  # slow round hits both
    assert benchmark._ratio(engine, floor) == pytest.approx(1.3)
    once = benchmark.Result("micrograd", times=[10.0])
    assert benchmark._ratio(once, floor) == pytest.approx(10.0)
