"""`portcheck diff OLD NEW`: what got better and worse between two deliveries; exit 0, 1 or 2."""

from __future__ import annotations

import copy
import json

import pytest

from portcheck.cli import main
from portcheck.report.diff import diff_reports, render_diff


def _run(args, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["diff", *args])
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


def _write(tmp_path, name, report):
    p = tmp_path / name
    p.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    return p


def _fixed_notes(report):
    """The second delivery: contact notes no longer truncated, but 10 customer emails changed."""
    new = copy.deepcopy(report)
    c = new["objects"]["contact"]
    c["fidelity"]["fields"]["notes"].update(matched=2400, rate=1.0, defects={})
    c["fidelity"]["matched"] += 1048
    c["defects"]["truncated"] = 0
    cust = new["objects"]["customer"]
    cust["fidelity"]["fields"]["email"].update(matched=950, rate=0.98958)
    cust["fidelity"]["matched"] -= 10
    cust["defects"]["value_changed"] = 10
    for ch in new["checks"]:
        if ch["id"] == "contact.fidelity.notes":
            ch.update(status="pass", observed=1.0)
        if ch["id"] == "customer.fidelity.email":
            ch.update(status="fail", observed=0.98958)
    c["records"]["export"] += 1
    return new


def test_diff_sorts_changes_into_better_worse_and_changed(sample):
    result = diff_reports(sample, _fixed_notes(sample))
    worse = {c["metric"] for c in result["worse"]}
    better = {c["metric"] for c in result["better"]}
    changed = {c["metric"] for c in result["changed"]}
    assert worse == {
        "customer.fidelity",
        "customer.fidelity.email",
        "customer.defects.value_changed",
        "check:customer.fidelity.email",
    }
    assert better == {
        "contact.fidelity",
        "contact.fidelity.notes",
        "contact.defects.truncated",
        "check:contact.fidelity.notes",
    }
    assert changed == {"contact.records.export"}


def test_identical_reports_show_no_change_and_exit_0(sample, tmp_path, capsys):
    a, b = _write(tmp_path, "a.json", sample), _write(tmp_path, "b.json", sample)
    code, out, _ = _run([str(a), str(b)], capsys)
    assert code == 0
    assert "No figure changed." in out


def test_something_worse_exits_1_and_is_listed(sample, tmp_path, capsys):
    a, b = _write(tmp_path, "a.json", sample), _write(tmp_path, "b.json", _fixed_notes(sample))
    code, out, _ = _run([str(a), str(b)], capsys)
    assert code == 1
    assert "✗ Customers: fidelity of email: 100.000% → 98.958%" in out
    assert "✓ Contacts: fidelity of notes: 56.333% → 100.000%" in out
    assert "· Contacts: records (export): 2,995 → 2,996" in out
    assert "4 figure(s) got worse." in out


def test_only_improvements_exit_0(sample, tmp_path, capsys):
    better = copy.deepcopy(sample)
    better["objects"]["opportunity"]["defects"]["value_changed"] = 0
    code, out, _ = _run(
        [str(_write(tmp_path, "old.json", sample)), str(_write(tmp_path, "new.json", better))], capsys
    )
    assert code == 0
    assert "✓ Opportunities: defects: value changed: 1 → 0" in out
    assert "Nothing got worse." in out


def test_verdict_from_fail_to_pass_is_better(sample):
    new = copy.deepcopy(sample)
    new["verdict"] = "pass"
    result = diff_reports(sample, new)
    assert result["better"][0]["metric"] == "verdict"
    assert "Verdict: FAIL → PASS" in render_diff(result, lang="en")
    assert "结论：不通过 → 通过" in render_diff(result, lang="zh")


def test_chinese_and_json_output(sample, tmp_path, capsys):
    a, b = _write(tmp_path, "a.json", sample), _write(tmp_path, "b.json", _fixed_notes(sample))
    code, out, _ = _run([str(a), str(b), "--lang", "zh"], capsys)
    assert code == 1
    assert "✗ 客户：电子邮箱准确率：100.000% → 98.958%" in out
    assert "有 4 项指标变差。" in out
    code, out, _ = _run([str(a), str(b), "--json"], capsys)
    assert code == 1
    data = json.loads(out)
    assert {c["metric"] for c in data["worse"]} >= {"customer.fidelity.email"}
    assert all("label" in c for c in data["worse"])


def test_a_check_output_folder_is_accepted(sample, tmp_path, capsys):
    (tmp_path / "run1").mkdir()
    _write(tmp_path / "run1", "report.json", sample)
    code, _, _ = _run([str(tmp_path / "run1"), str(tmp_path / "run1")], capsys)
    assert code == 0


def test_reports_made_against_different_references_are_flagged(sample):
    new = copy.deepcopy(sample)
    new["inputs"][-1]["sha256"] = "0" * 64
    assert "different_inputs" in diff_reports(sample, new)["notes"]
    assert "different profiles or references" in render_diff(diff_reports(sample, new), lang="en")


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "does not exist"),
        ("{not json", "is not valid JSON"),
        ('{"hello": 1}', "is not a portcheck report"),
        ('{"report_version": 9, "verdict": "pass", "objects": {}}', "version 9"),
    ],
)
def test_unusable_reports_exit_2_with_one_sentence(sample, tmp_path, capsys, content, message):
    good = _write(tmp_path, "good.json", sample)
    bad = tmp_path / "bad.json"
    if content is not None:
        bad.write_text(content, encoding="utf-8")
    code, out, err = _run([str(good), str(bad)], capsys)
    assert code == 2
    assert message in err and "Traceback" not in err
    assert "hint:" in err
