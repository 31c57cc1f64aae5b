"""Fixtures of the report tests.

``data/sample-report.json`` is a realistic report dict following DESIGN.md's report.json, with every optional
key the run adds (control totals, masked examples, orphan and fuzzy examples, drill traps, requested and
delivered dates, deleted counts). How it differs from a clean delivery, on purpose:

- verdict ``fail``: customer phone (978/990) and postal code (890/900) lose leading zeros, contact notes are
  cut at 255 characters (1,352/2,400), opportunity amounts are rounded (1,960/1,990) and the customer
  export declares 1,000 records but 999 were read;
- contacts: 11 missing, 6 repeated IDs, 4 orphans; customers: 2 look-alike groups, 3 deleted records;
- one unmapped table (``Task.csv``), so the exit hand-over clause is ``not_assessed``; delivered 19 days after
  the request, so the 15-day clause is ``not_met``;
- Chinese data values, a customer example whose reference is ``<script>alert(1)</script>`` and whose export is
  ``<img src=x onerror=…>`` (both must show as text);
- a per-field policy override (opportunity notes ≥ 95%, updated_at informational).

Golden HTML files under ``golden/`` are compared byte for byte; they are (re)written only with
``pytest tests/report --update-golden`` or ``PORTCHECK_UPDATE_GOLDEN=1``, and a missing one fails.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SAMPLE = HERE / "data" / "sample-report.json"
GOLDEN = HERE / "golden"


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/report/golden/* from the current output (review the diff!)",
    )


@pytest.fixture(scope="session")
def _sample_cached() -> dict:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


@pytest.fixture
def sample(_sample_cached) -> dict:
    """A fresh deep copy of the sample report (tests may change it)."""
    return copy.deepcopy(_sample_cached)


@pytest.fixture
def update_golden(request) -> bool:
    try:
        flag = bool(request.config.getoption("--update-golden"))
    except ValueError:  # option not registered: this conftest was not loaded at start-up
        flag = False
    return flag or os.environ.get("PORTCHECK_UPDATE_GOLDEN") == "1"
