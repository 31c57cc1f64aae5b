"""A database reference gives the same figures as the same data in files (SQLite and a real PostgreSQL)."""

from __future__ import annotations

import csv
import json

import pytest
import sqlalchemy as sa

from tests.conftest import run_portcheck, shared
from tests.pgcluster import postgres_cluster


def _load_reference_into(url: str, folder) -> None:
    engine = sa.create_engine(url)
    md = sa.MetaData()
    with engine.begin() as conn:
        for obj in ("customer", "contact", "opportunity"):
            with open(folder / f"{obj}.csv", newline="", encoding="utf-8") as fh:
                rows = list(csv.DictReader(fh))
            cols = list(rows[0].keys())
            table = sa.Table(obj, md, *[sa.Column(c, sa.Text, primary_key=(c == f"{obj}_id")) for c in cols])
            table.create(conn)
            # Empty CSV cells are NULL in a database.
            conn.execute(table.insert(), [{k: (v if v != "" else None) for k, v in r.items()} for r in rows])
    engine.dispose()


def _figures(report: dict) -> dict:
    keep = ("records", "duplicates", "fidelity", "defects", "completeness", "missing_fields")
    return {o: {k: e[k] for k in keep} for o, e in report["objects"].items()}


def _check(tmp_path, reference: str, name: str) -> dict:
    example = shared("contract-example")
    out = tmp_path / name
    run = run_portcheck("check", str(example / "export"), "--profile", "canonical", "--reference", reference,
                        "--out", str(out))
    assert run.returncode in (0, 1), run.stderr
    return json.loads((out / "report.json").read_text())


def test_sqlite_reference_gives_the_figures_of_the_file_reference(tmp_path):
    example = shared("contract-example")
    db = tmp_path / "legacy.db"
    _load_reference_into(f"sqlite:///{db}", example / "reference")
    from_files = _check(tmp_path, str(example / "reference"), "files")
    from_sql = _check(tmp_path, f"sqlite:///{db}", "sql")
    assert _figures(from_sql) == _figures(from_files)
    sql_inputs = [i for i in from_sql["inputs"] if i["role"] == "reference"]
    assert len(sql_inputs) == 1 and sql_inputs[0]["name"].startswith("reference/sqlite:///")
    assert sql_inputs[0]["rows"] == 12 + 30 + 15


@pytest.mark.postgres
def test_postgresql_reference_gives_the_figures_of_the_file_reference(tmp_path):
    example = shared("contract-example")
    with postgres_cluster() as url:
        pw_url = url.replace("portcheck@", "portcheck:s3cret@")
        _load_reference_into(url, example / "reference")
        from_sql = _check(tmp_path, pw_url, "pg")
    from_files = _check(tmp_path, str(example / "reference"), "files")
    assert _figures(from_sql) == _figures(from_files)
    names = [i["name"] for i in from_sql["inputs"] if i["role"] == "reference"]
    assert names and "s3cret" not in json.dumps(from_sql)


def test_unreachable_database_is_exit_2_with_one_sentence(tmp_path):
    example = shared("contract-example")
    run = run_portcheck("check", str(example / "export"), "--profile", "canonical", "--reference",
                        "postgresql+psycopg://nobody@127.0.0.1:1/none", "--out", str(tmp_path / "o"))
    assert run.returncode == 2
    assert "Traceback" not in run.stderr and run.stderr.startswith("portcheck: ")
    assert not (tmp_path / "o").exists()


def test_missing_sqlite_file_is_exit_2(tmp_path):
    example = shared("contract-example")
    run = run_portcheck("check", str(example / "export"), "--profile", "canonical", "--reference",
                        f"sqlite:///{tmp_path}/nope.db", "--out", str(tmp_path / "o"))
    assert run.returncode == 2 and "does not exist" in run.stderr
    assert not (tmp_path / "nope.db").exists()  # never created by reading


def test_check_honours_the_reader_safety_limits(tmp_path):
    import zipfile

    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("customer.csv", "customer_id,name\n" + "0" * 5_000_000)
    run = run_portcheck("check", str(bomb), "--out", str(tmp_path / "o"))
    assert run.returncode == 2 and "max-ratio" in run.stderr and "Traceback" not in run.stderr
    run = run_portcheck("check", str(bomb), "--out", str(tmp_path / "o"), "--max-ratio", "100000",
                        "--max-bytes", "1M")
    assert run.returncode == 2 and "--max-bytes" in run.stderr
    assert not (tmp_path / "o").exists()
