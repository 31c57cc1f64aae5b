"""Issue 3: "Every command that reads an export takes `--profile` and `--mapping`; with neither, portcheck
picks the profile that fits best and says which and why"."""

from __future__ import annotations

import json

import pytest

from tests.acceptance.conftest import check
from tests.conftest import FIXTURES, run_portcheck

HUBSPOT = FIXTURES / "hubspot" / "export"


def test_issue3_check_records_the_detected_profile_and_why(tmp_path):
    report = check(HUBSPOT, tmp_path / "out")
    assert report["options"]["profile"] == "hubspot"
    assert report["detection"]["method"] == "auto" and report["detection"]["profile"] == "hubspot"
    assert "3 of 3 tables match" in report["detection"]["reason"]


def test_issue3_check_says_on_the_terminal_which_profile_it_picked(tmp_path):
    run = run_portcheck("check", str(HUBSPOT), "--out", str(tmp_path / "out"))
    assert run.returncode == 0, run.stderr
    assert "hubspot" in (run.stdout + run.stderr).lower()


def test_issue3_the_reason_is_in_chinese_under_lang_zh(tmp_path):
    run = run_portcheck("check", str(HUBSPOT), "--out", str(tmp_path / "out"), "--lang", "zh")
    assert run.returncode == 0, run.stderr
    line = next(x for x in run.stdout.splitlines() if x.startswith("配置档："))
    assert "3 个表中 3 个相符（" in line and "tables match" not in line, line
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    why = report["detection"]["why"]
    assert why["tables"] == 3 and why["matched_count"] == 3 and len(why["matched"]) == 3
    assert "3 of 3 tables match" in report["detection"]["reason"]  # report.json keeps its English phrase


@pytest.mark.parametrize(("why", "en", "zh"), [
    ({"tables": 0, "matched": [], "markers": []}, "no tables", "没有数据表"),
    ({"tables": 2, "matched": [], "markers": []}, "no table matches its layout", "没有与其布局相符的表"),
    ({"tables": 6, "matched_count": 5, "matched": [f"t{i}.csv→contact" for i in range(4)],
      "markers": ["Lead Status", "a.csv"]},
     "5 of 6 tables match (t0.csv→contact, t1.csv→contact, t2.csv→contact, t3.csv→contact, …); "
     "markers: Lead Status, a.csv",
     "6 个表中 5 个相符（t0.csv→contact、t1.csv→contact、t2.csv→contact、t3.csv→contact、…）；"
     "特征：Lead Status、a.csv"),
])
def test_issue3_the_reason_reads_the_same_facts_in_both_languages(why, en, zh):
    from portcheck.profiles.detection import describe

    assert describe(why) == en
    assert describe(why, "zh") == zh


def test_issue3_inspect_takes_profile_and_mapping(tmp_path):
    mapping = tmp_path / "m.yaml"
    mapping.write_text("extends: hubspot\n", encoding="utf-8")
    run = run_portcheck("inspect", str(HUBSPOT), "--profile", "hubspot", "--mapping", str(mapping), "--json")
    assert run.returncode == 0, run.stderr
    assert "hubspot" in json.dumps(json.loads(run.stdout))


def test_issue3_the_facts_kept_for_many_tables_are_the_count_and_the_first_four(tmp_path):
    from portcheck.profiles import get_profile
    from portcheck.profiles.detection import describe, fit, score
    from portcheck.readers import read_export

    rows = (FIXTURES / "demo" / "export" / "contact.csv").read_text(encoding="utf-8")
    for i in range(6):
        (tmp_path / f"part{i}.csv").write_text(rows, encoding="utf-8")
    source = read_export(str(tmp_path))
    value, why = fit(source, get_profile("canonical"))
    assert value > 0
    assert why == {"tables": 6, "matched_count": 6, "markers": [],
                   "matched": [f"part{i}.csv→contact" for i in range(4)]}
    assert score(source, get_profile("canonical")) == (value, describe(why))
    phrase = describe(why)
    assert phrase.startswith("6 of 6 tables match (part0.csv→contact, ") and phrase.endswith(", …)")
