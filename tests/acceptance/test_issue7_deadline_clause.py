"""Issue 7: "within 15 days of the request" → `--requested-at DATE` against `--delivered-at` (default: the
newest file time in the export), end to end through `check`."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest

from tests.acceptance.conftest import check, write


def _deadline(report: dict) -> tuple[str, object]:
    clause = next(c for c in report["clauses"] if c["id"] == "exit-deadline")
    observed = next(c["observed"] for c in report["checks"] if c["id"] == "handover.deadline")
    return clause["status"], observed


@pytest.fixture
def export(tmp_path):
    folder = tmp_path / "export"
    write(folder, "customer.csv", "customer_id,name\nC1,Acme\n")
    write(folder, "contact.csv", "contact_id,customer_id,full_name\nP1,C1,Li Lei\n")
    newest = datetime(2024, 1, 20, 12, 0, tzinfo=UTC).timestamp()
    os.utime(folder / "customer.csv", (newest - 86400 * 9, newest - 86400 * 9))
    os.utime(folder / "contact.csv", (newest, newest))  # the newest file: delivered 2024-01-20
    return folder


def test_issue7_deadline_clause_is_not_assessed_without_a_request_date(export, tmp_path):
    assert _deadline(check(export, tmp_path / "out"))[0] == "not_assessed"


@pytest.mark.parametrize(("requested", "delivered", "status", "days"), [
    ("2024-01-01", "2024-01-16", "met", 15),       # the 15th day is still in time
    ("2024-01-01", "2024-01-17", "not_met", 16),
])
def test_issue7_requested_and_delivered_dates_decide_the_deadline_clause(export, tmp_path, requested, delivered,
                                                                         status, days):
    report = check(export, tmp_path / "out", "--requested-at", requested, "--delivered-at", delivered)
    assert _deadline(report) == (status, days)


@pytest.mark.parametrize(("requested", "status", "days"), [("2024-01-05", "met", 15), ("2024-01-04", "not_met", 16)])
def test_issue7_delivery_time_defaults_to_the_newest_file_in_the_export(export, tmp_path, requested, status, days):
    report = check(export, tmp_path / "out", "--requested-at", requested)
    assert _deadline(report) == (status, days)
    assert report["delivered_at"].startswith("2024-01-20")
