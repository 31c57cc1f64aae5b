"""What the comparison and the control totals read of the reference alone may be computed ahead, on the
reference's thread, while the export is still loading: the figures are the same, and the comparison then
does not compute it again. A run stops that work as soon as the export is loaded."""

from __future__ import annotations

import dataclasses
import random
import threading
import time
from pathlib import Path

import pyarrow as pa
import pytest

from portcheck.canonical import CanonicalDataset, CanonicalTable
from portcheck.checks import _arrow
from portcheck.compare import engine
from portcheck.compare.engine import CompareOptions, compare_datasets


def _dataset(role: str, rng: random.Random, n: int, drop: float) -> CanonicalDataset:
    customers = [{"customer_id": f"C{i}", "name": rng.choice(["甲公司", "乙公司", "", None, " 丙 "]),
                  "owner": rng.choice(["王伟", "李娜", None])}
                 for i in range(n // 4)]
    contacts = [{"contact_id": f"P{i}", "customer_id": f"C{rng.randrange(n // 4)}",
                 "full_name": rng.choice(["张三", "", None, "N/A", " 李四 "]),
                 "email": rng.choice(["a@x.cn", "A@X.CN", "", None]),
                 "is_primary": rng.choice(["true", "yes", "", None])} for i in range(n)]
    opps = [{"opportunity_id": f"O{i}", "customer_id": f"C{rng.randrange(n // 4)}",
             "amount": rng.choice(["1200.50", "99", "", None, "1,000"]),
             "currency": rng.choice(["CNY", "usd", ""]), "stage": rng.choice(["won", "lost", None])}
            for i in range(n // 2)]
    objects = {}
    for obj, rows in (("customer", customers), ("contact", contacts), ("opportunity", opps)):
        kept = [r for r in rows if rng.random() >= drop]
        objects[obj] = CanonicalTable(obj, pa.Table.from_pylist(kept))
    return CanonicalDataset(role=role, root="/x", profile_name="canonical", profile_sha256="",
                            objects=objects, inputs=[], null_tokens=("N/A",))


def _figures(compared: dict) -> dict:
    return {obj: (c.matched, c.missing, c.extra, {f: dataclasses.asdict(v) for f, v in c.fields.items()},
                  sorted(c.mismatches)) for obj, c in compared.items() if c is not None}


@pytest.mark.parametrize("value_maps", [{}, {"is_primary": {"yes": "true"}}])
def test_figures_are_the_same_with_the_reference_work_done_ahead(value_maps, monkeypatch):
    from portcheck.run import _control_totals, _reference_tasks

    rng = random.Random(5)
    ref = _dataset("reference", rng, 400, 0.0)
    exp = _dataset("export", random.Random(6), 400, 0.05)
    options = CompareOptions(value_maps=value_maps)
    _arrow.forget()
    plain = _figures(compare_datasets(ref, exp, options))
    objects = ("customer", "contact", "opportunity")
    plain_totals = {o: _control_totals(ref.get(o), exp.get(o)) for o in objects}
    _arrow.forget()

    tasks = _reference_tasks(ref, value_maps)
    assert tasks
    for task in tasks:
        task()
    # What was done ahead is not done again: only translated columns (foreign keys, mapped fields) and
    # the export's side are still computed.
    asked: list[int] = []
    real = engine._empty_mask
    monkeypatch.setattr(engine, "_empty_mask",
                        lambda arr, tokens: asked.append(len(arr)) or real(arr, tokens))
    ahead = _figures(compare_datasets(ref, exp, options))
    translated = sum(1 for obj in ("contact", "opportunity") if "customer_id" in ref.get(obj).columns)
    translated += sum(1 for f in value_maps if f in ref.get("contact").columns)
    reference_sized = [n for n in asked if n in {ref.get(o).rows for o in objects}]
    assert len(reference_sized) == translated
    assert ahead == plain
    assert {o: _control_totals(ref.get(o), exp.get(o)) for o in plain_totals} == plain_totals
    _arrow.forget()


DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo"


def _run(tmp_path, name):
    from portcheck.run import CheckOptions, run_check

    opts = CheckOptions(export=str(DEMO / "export"), reference=str(DEMO / "reference"), profile="canonical",
                        out=str(tmp_path / name), force=True)
    return run_check(opts).report


@pytest.mark.parametrize("first", ["reference", "export"])
def test_the_reference_work_runs_only_while_the_export_is_still_loading(first, tmp_path, monkeypatch):
    import portcheck.compare.reference as reference_module
    import portcheck.profiles as profiles
    import portcheck.run as run

    baseline = _run(tmp_path, "plain")
    done: list[str] = []
    export_loaded = threading.Event()

    def tasks(reference, value_maps):
        real = _original_tasks(reference, value_maps)
        return [lambda t=t: (done.append(threading.current_thread().name), t()) for t in real]

    _original_tasks = run._reference_tasks
    monkeypatch.setattr(run, "_reference_tasks", tasks)
    real_load, real_reference = profiles.load_dataset, reference_module.load_reference

    def load_export(source, *a, **k):
        out = real_load(source, *a, **k)
        if source.role == "export":
            if first == "reference":
                time.sleep(0.5)  # the export converts more: the reference's thread is free meanwhile
            export_loaded.set()
        return out

    def load_reference(*a, **k):
        if first == "export":
            export_loaded.wait(10)
        return real_reference(*a, **k)

    monkeypatch.setattr(profiles, "load_dataset", load_export)
    monkeypatch.setattr(reference_module, "load_reference", load_reference)
    report = _run(tmp_path, "ahead")
    if first == "reference":
        assert done and all(name == "portcheck-background" for name in done)
    else:
        assert done == []  # the export was loaded first: nothing is done ahead, nothing waited for
    strip = ("generated_at", "duration_seconds", "run")
    assert {k: v for k, v in report.items() if k not in strip} == \
        {k: v for k, v in baseline.items() if k not in strip}
