"""Contract clauses: the default template, how evidence decides a clause, and bad clause files."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from portcheck.errors import EXIT_UNUSABLE, PortcheckError
from portcheck.report.clauses import (
    ClauseError,
    contract_checks,
    evaluate_clauses,
    load_clauses,
    table_format,
)


def _by_id(entries):
    return {e["id"]: e for e in entries}


def _strip_handover(report):
    report["checks"] = [c for c in report["checks"] if not c["id"].startswith("handover.")]
    return report


def test_default_template_has_the_four_clauses_in_both_languages():
    clauses = load_clauses()
    assert [c.id for c in clauses] == [
        "exit-handover",
        "exit-deadline",
        "migration-accuracy",
        "no-duplicate-customers",
    ]
    for c in clauses:
        assert c.text and c.text_zh and c.text != c.text_zh
    assert {c.id: c for c in clauses}["exit-deadline"].days == 15


def test_sample_report_clause_statuses(sample):
    out = _by_id(
        evaluate_clauses(
            _strip_handover(sample),
            load_clauses(),
            requested_at=date(2025, 3, 1),
            delivered_at=datetime(2025, 3, 20, 8, 45, tzinfo=UTC),
        )
    )
    # Task.csv was not read: "all data" cannot be confirmed
    assert out["exit-handover"]["status"] == "not_assessed"
    assert "handover.inventory" in out["exit-handover"]["evidence"]
    # 19 days > 15
    assert out["exit-deadline"]["status"] == "not_met"
    # four fields below 99%
    assert out["migration-accuracy"]["status"] == "not_met"
    assert "contact.fidelity.notes" in out["migration-accuracy"]["evidence"]
    assert out["no-duplicate-customers"]["status"] == "met"
    assert out["no-duplicate-customers"]["evidence"] == ["customer.uniqueness"]
    assert set(out["exit-handover"]) == {"id", "text", "text_zh", "status", "evidence"}


def test_all_tables_read_and_complete_makes_the_hand_over_clause_met(sample):
    report = _strip_handover(sample)
    report["inventory"] = [e for e in report["inventory"] if e["mapped_to"]]
    out = _by_id(evaluate_clauses(report, load_clauses(), requested_at=None, delivered_at=None))
    assert out["exit-handover"]["status"] == "met"


def test_deadline_is_not_assessed_without_a_request_date(sample):
    report = _strip_handover(sample)
    del report["requested_at"]
    out = _by_id(
        evaluate_clauses(
            report, load_clauses(), requested_at=None, delivered_at=datetime(2025, 3, 20, tzinfo=UTC)
        )
    )
    assert out["exit-deadline"]["status"] == "not_assessed"


def test_deadline_met_on_the_last_day(sample):
    report = _strip_handover(sample)
    out = _by_id(
        evaluate_clauses(
            report,
            load_clauses(),
            requested_at=date(2025, 3, 5),
            delivered_at=datetime(2025, 3, 20, 23, 0, tzinfo=UTC),
        )
    )
    assert out["exit-deadline"]["status"] == "met"
    checks = _by_id(
        contract_checks(
            report,
            load_clauses(),
            requested_at=date(2025, 3, 5),
            delivered_at=datetime(2025, 3, 20, tzinfo=UTC),
        )
    )
    assert checks["handover.deadline"]["observed"] == 15
    assert checks["handover.deadline"]["gating"] is False


def test_a_not_assessed_evidence_check_makes_the_clause_not_assessed(sample):
    report = _strip_handover(sample)
    for c in report["checks"]:
        if c["id"] == "customer.uniqueness":
            c["status"] = "not_assessed"
    assert (
        _by_id(evaluate_clauses(report, load_clauses()))["no-duplicate-customers"]["status"] == "not_assessed"
    )


def test_a_failing_evidence_check_beats_a_not_assessed_one(sample, tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(
        "clauses:\n  - id: x\n    text: X\n    text_zh: 某条\n"
        "    evidence: [no.such.check, contact.fidelity.notes]\n",
        encoding="utf-8",
    )
    out = evaluate_clauses(sample, load_clauses(path))
    assert out[0]["status"] == "not_met"
    assert out[0]["evidence"] == ["no.such.check", "contact.fidelity.notes"]


def test_evidence_absent_from_the_report_is_not_assessed(sample, tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(
        "clauses:\n  - id: x\n    text: X\n    evidence: ['*.fidelity.no_such_field']\n", encoding="utf-8"
    )
    out = evaluate_clauses(sample, load_clauses(path))
    assert out[0]["status"] == "not_assessed"
    assert out[0]["text_zh"] == "X"  # no Chinese wording: the English one is kept


def test_a_warning_does_not_break_a_clause(sample, tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(
        "clauses:\n  - id: x\n    text: X\n    text_zh: 某条\n"
        "    evidence: [contact.validity.email_format, opportunity.fidelity.updated_at]\n",
        encoding="utf-8",
    )
    assert evaluate_clauses(sample, load_clauses(path))[0]["status"] == "met"


def test_formats_other_than_csv_or_excel_fail_the_hand_over(sample):
    report = _strip_handover(sample)
    report["inventory"] = [
        {"name": "dump.pdf", "rows": 10, "mapped_to": "customer"},
        {"name": "export.zip/contacts.csv", "rows": 5, "mapped_to": "contact"},
        {"name": "book.xlsx#Opportunities", "rows": 5, "mapped_to": "opportunity"},
    ]
    checks = _by_id(contract_checks(report, load_clauses()))
    assert checks["handover.formats"]["status"] == "fail"
    assert "pdf" in checks["handover.formats"]["message"]
    assert _by_id(evaluate_clauses(report, load_clauses()))["exit-handover"]["status"] == "not_met"


def test_an_object_not_delivered_fails_the_hand_over(sample):
    report = _strip_handover(sample)
    report["inventory"] = [e for e in report["inventory"] if e["mapped_to"] not in (None, "opportunity")]
    report["objects"]["opportunity"]["records"]["export"] = 0
    checks = _by_id(contract_checks(report, load_clauses()))
    assert checks["handover.objects"]["status"] == "fail"
    assert "opportunity" in checks["handover.objects"]["message"]


def test_report_checks_are_not_changed_by_evaluation(sample):
    before = [dict(c) for c in sample["checks"]]
    evaluate_clauses(sample, load_clauses())
    assert sample["checks"] == before


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Account.csv", "csv"),
        ("export/a.zip/Account.csv", "csv"),
        ("book.xlsx#Sheet1", "xlsx"),
        ("book.xlsx:Sheet1", "xlsx"),
        ("Contacts", None),
        ("data.json", "json"),
        ("x.CSV", "csv"),
    ],
)
def test_table_format_is_read_from_the_name(name, expected):
    assert table_format(name) == expected


@pytest.mark.parametrize(
    "content, problem",
    [
        ("clauses: [", "not valid YAML at line"),
        ("- just a list item", "is not a mapping"),
        ("clauses: []", "lists no clauses"),
        ("clauses:\n  - id: a\n    text: A\n", "needs 'evidence'"),
        ("clauses:\n  - id: a\n    text: A\n    evidence: a.b\n", "needs 'evidence'"),
        (
            "clauses:\n  - id: a\n    text: A\n    evidence: [x]\n"
            "  - id: a\n    text: B\n    evidence: [y]\n",
            "uses the id 'a' twice",
        ),
        ("clauses:\n  - id: a\n    text: A\n    evidence: [x]\n    colour: red\n", "unknown key(s): colour"),
        ("clauses:\n  - id: a\n    text: A\n    evidence: [x]\n    days: soon\n", "'days' must be"),
        ("version: 2\nclauses:\n  - id: a\n    text: A\n    evidence: [x]\n", "has version 2"),
        ("clauses:\n  - text: A\n    evidence: [x]\n", "has no id"),
        ("!!python/object/apply:os.system ['true']", "not valid YAML"),
    ],
)
def test_bad_clause_files_name_the_file_and_the_problem(tmp_path, content, problem):
    path = tmp_path / "my-clauses.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ClauseError) as err:
        load_clauses(path)
    assert "my-clauses.yaml" in err.value.message
    assert problem in err.value.message
    assert err.value.hint
    assert isinstance(err.value, PortcheckError) and err.value.exit_code == EXIT_UNUSABLE


def test_missing_and_non_utf8_clause_files(tmp_path):
    with pytest.raises(ClauseError, match="does not exist"):
        load_clauses(tmp_path / "nope.yaml")
    bad = tmp_path / "gbk.yaml"
    bad.write_bytes("clauses:\n  - id: a\n    text: 退出\n".encode("gbk"))
    with pytest.raises(ClauseError, match="not UTF-8"):
        load_clauses(bad)


def test_a_pattern_ignores_matched_checks_that_had_nothing_to_assess():
    from portcheck.report.clauses import evaluate_clauses, load_clauses

    report = {"checks": [
        {"id": "customer.fidelity.name", "status": "pass", "gating": True},
        {"id": "customer.fidelity.x_parentid", "status": "not_assessed", "gating": True},
    ], "objects": {}, "inventory": [], "inputs": []}
    clauses = [c for c in load_clauses(None) if c.id == "migration-accuracy"]
    (out,) = evaluate_clauses(report, clauses, requested_at=None, delivered_at=None)
    assert out["status"] == "met" and "customer.fidelity.x_parentid" not in out["evidence"]
    report["checks"][0]["status"] = "not_assessed"  # nothing assessed at all: the clause is not assessed
    (out,) = evaluate_clauses(report, clauses, requested_at=None, delivered_at=None)
    assert out["status"] == "not_assessed"
