"""Compile the canonical schema and portcheck's value rules into one GX 1.x expectation suite per object.

The suite is built as plain JSON (exactly what ``ExpectationSuite.to_json_dict()`` gives and what
``great_expectations.ExpectationSuite(**suite)`` loads), so that building it never imports GX; the ``gx``
engine turns it into GX objects, the ``fast`` engine evaluates it with pyarrow.

Each expectation carries ``meta.portcheck``: ``short_name`` (the check id is
``<object>.validity.<short_name>``), ``field`` (the canonical field), ``key`` (IDs are never masked) and,
for flag columns, ``derived`` (how portcheck computes the column). Every expectation has ``mostly: 0.99``:
validity is reported as ``warn``, never gating, and GX's own ``success`` then agrees with the check.
"""

from __future__ import annotations

from typing import Any

from portcheck.checks import rules
from portcheck.schema import (
    BOOLEAN,
    CURRENCY,
    DATE,
    DECIMAL,
    EMAIL,
    INSTANT,
    PERCENT,
    PHONE,
    STAGE,
    load_schema,
)

MOSTLY = 0.99
SEVERITY = "warning"
SUITE_PREFIX = "portcheck"

# Fields that hold identifiers Excel likes to turn into 3.38893E+18, besides primary and foreign keys.
_ID_LIKE = ("tax_id", "phone", "mobile")

_DERIVED_DOC = {
    "phone": ("'valid' when phonenumbers.is_valid_number() holds for the value parsed in the row's country "
              "(alpha-2 or a common name), else the table's default region; a '+' number needs no region; "
              "null when empty or when no region is known"),
    "uscc": ("'valid' when python-stdnum's stdnum.cn.uscc.is_valid() holds; only for values that are 18 "
             "letters/digits once spaces and hyphens are removed (other tax IDs: null)"),
    "date": "'valid' for YYYY-MM-DD naming a real calendar day; null when empty",
    "instant": ("'valid' for ISO 8601 / RFC 3339 date-times (T or space, optional seconds, fraction, Z or "
                "±hh:mm offset; a bare date too) on a real calendar day; null when empty"),
}


def suite_name(obj: str) -> str:
    return f"{SUITE_PREFIX}.{obj}"


def _expectation(etype: str, column: str, short_name: str, fld: str, *, key: bool = False,
                 derived: str | None = None, **kwargs: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"short_name": short_name, "field": fld, "key": key}
    if derived:
        meta["derived"] = derived
        meta["derived_rule"] = _DERIVED_DOC[derived]
    return {"type": etype, "kwargs": dict(sorted({"column": column, **kwargs, "mostly": MOSTLY}.items())),
            "meta": {"portcheck": meta}, "severity": SEVERITY}


def build_suite(obj: str, columns: list[str] | None = None) -> dict[str, Any]:
    """The suite for ``obj`` as GX JSON; with ``columns``, only expectations on fields the table carries."""
    odef = load_schema()[obj]
    present = set(odef.field_names if columns is None else columns)
    exps: list[dict[str, Any]] = []
    for f in odef.fields:
        if f.name not in present:
            continue
        key = f.primary_key or f.foreign_key is not None
        if f.required:
            exps.append(_expectation("expect_column_values_to_not_be_null", f.name, f"{f.name}_not_empty",
                                     f.name, key=key))
        if f.primary_key:
            exps.append(_expectation("expect_column_values_to_be_unique", f.name, f"{f.name}_unique", f.name,
                                     key=True))
        if key or f.name in _ID_LIKE:
            exps.append(_expectation("expect_column_values_to_not_match_regex", f.name,
                                     f"{f.name}_not_scientific", f.name, key=key,
                                     regex=rules.SCIENTIFIC_REGEX))
        if f.type == EMAIL:
            exps.append(_expectation("expect_column_values_to_match_regex", f.name, f"{f.name}_format",
                                     f.name, regex=rules.EMAIL_REGEX))
        elif f.type == PHONE:
            exps.append(_expectation("expect_column_values_to_be_in_set", rules.flag_column(f.name),
                                     f"{f.name}_valid_for_region", f.name, derived="phone",
                                     value_set=[rules.VALID]))
        elif f.type == CURRENCY:
            exps.append(_expectation("expect_column_values_to_be_in_set", f.name, f"{f.name}_iso4217", f.name,
                                     value_set=list(rules.ISO_4217)))
        elif f.type == STAGE or f.enum:
            short = f"{f.name}_canonical" if f.type == STAGE else f"{f.name}_in_set"
            exps.append(_expectation("expect_column_values_to_be_in_set", f.name, short, f.name,
                                     value_set=list(f.enum)))
        elif f.type == PERCENT:
            exps.append(_expectation("expect_column_values_to_match_regex", f.name, f"{f.name}_range", f.name,
                                     regex=rules.PROBABILITY_REGEX))
        elif f.type == DECIMAL:
            exps.append(_expectation("expect_column_values_to_match_regex", f.name, f"{f.name}_decimal",
                                     f.name, regex=rules.AMOUNT_REGEX))
        elif f.type == BOOLEAN:
            exps.append(_expectation("expect_column_values_to_be_in_set", f.name, f"{f.name}_boolean", f.name,
                                     value_set=list(rules.BOOLEAN_VALUES)))
        elif f.type == DATE:
            exps.append(_expectation("expect_column_values_to_be_in_set", rules.flag_column(f.name),
                                     f"{f.name}_date", f.name, derived="date", value_set=[rules.VALID]))
        elif f.type == INSTANT:
            exps.append(_expectation("expect_column_values_to_be_in_set", rules.flag_column(f.name),
                                     f"{f.name}_instant", f.name, derived="instant", value_set=[rules.VALID]))
        if obj == "customer" and f.name == "tax_id":
            exps.append(_expectation("expect_column_values_to_be_in_set", rules.flag_column(f.name),
                                     f"{f.name}_uscc_check_digit", f.name, derived="uscc",
                                     value_set=[rules.VALID]))
    schema = load_schema()
    return {
        "name": suite_name(obj),
        "id": None,
        "expectations": exps,
        "meta": {"portcheck": {
            "object": obj, "schema": schema.name, "schema_version": schema.version,
            "schema_sha256": schema.sha256,
            "note": ("Values are validated trimmed, NFC-normalised, with empty strings as null. Columns "
                     f"named {rules.FLAG_PREFIX}<field>_valid are flags portcheck derives (see each "
                     "expectation's meta.portcheck.derived_rule); "
                     "portcheck.checks.validity.prepare_table() computes them."),
        }},
        "notes": None,
    }


def suite_columns(suite: dict[str, Any]) -> list[str]:
    """Every column the suite reads, in first-use order."""
    seen: dict[str, None] = {}
    for e in suite["expectations"]:
        seen.setdefault(e["kwargs"]["column"], None)
    return list(seen)
