"""Validity: run an object's expectation suite with GX itself (``gx``) or vectorised in pyarrow (``fast``).

Both engines read the same prepared table (:func:`prepare_table`: values NFC-normalised and trimmed, empty
strings and null tokens as null, flag columns added) and return the same document:
``ExpectationSuiteValidationResult.to_json_dict()``'s shape with ``result_format`` SUMMARY (20 partial
values). The ``fast`` engine reproduces GX's arithmetic (percentages, ``mostly``, vacuous success on zero
rows) so its counts are identical; a test holds them equal on shared data, GX being the oracle. Results
are in the suite's order with either engine.

Partial unexpected lists hold customer values as read; :func:`mask_gx_result` masks them for output.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable, Sequence
from importlib import metadata
from typing import TYPE_CHECKING, Any

from portcheck.checks import rules
from portcheck.checks.interface import Check
from portcheck.errors import UsageError
from portcheck.policy import passes_at_least, rate

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

    from portcheck.canonical import CanonicalTable

ENGINES = ("fast", "gx")
PARTIAL_COUNT = 20
RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": PARTIAL_COUNT}
VALIDITY_THRESHOLD = 0.99
DATASOURCE = "portcheck"

_DESCRIPTIONS = {
    "not_empty": "are empty though the field is required",
    "unique": "share their key with another row (every occurrence counts)",
    "not_scientific": "are in scientific notation (Excel rewrote them, digits lost)",
    "format": "are not a syntactically valid email address",
    "valid_for_region": "are not a valid phone number for its country or the export's region",
    "iso4217": "are not an ISO 4217 currency code",
    "canonical": "are not a canonical stage",
    "in_set": "are not an allowed value",
    "range": "are not a probability between 0 and 100",
    "decimal": "are not a non-negative decimal amount",
    "boolean": "are not true/false",
    "date": "are not a real date written YYYY-MM-DD",
    "instant": "are not an ISO 8601 date-time",
    "uscc_check_digit": "look like Unified Social Credit Codes but fail the check digit",
}


def prepare_table(ct: CanonicalTable, suite: dict[str, Any], null_tokens: Sequence[str] = ()) -> pa.Table:
    """The table the suite is validated on: the columns it reads, cleaned, with flag columns derived."""
    import pyarrow as pa

    out: dict[str, pa.Array] = {}
    for e in suite["expectations"]:
        column = e["kwargs"]["column"]
        if column not in out:
            out[column] = _prepared_column(ct, e, null_tokens)
    return pa.table(out) if out else pa.table({})


def _prepared_column(ct: CanonicalTable, e: dict[str, Any], null_tokens: Sequence[str]) -> pa.Array:
    """The column of :func:`prepare_table` an expectation reads."""
    from portcheck.checks._arrow import clean_column

    table = ct.table
    info = e["meta"]["portcheck"]
    derived, fld = info.get("derived"), info["field"]
    if derived is None:
        return clean_column(table, e["kwargs"]["column"], null_tokens)
    if derived == "phone":
        return rules.phone_columns(table, fld, ct.region, tuple(null_tokens))[0]
    if derived == "uscc":
        return rules.uscc_flags(clean_column(table, fld, null_tokens))
    if derived == "date":
        return rules.date_flags(clean_column(table, fld, null_tokens))
    if derived == "instant":
        return rules.instant_flags(clean_column(table, fld, null_tokens))
    raise UsageError(  # pragma: no cover - a suite from a newer portcheck
        f"the suite derives a column this portcheck does not know ({derived})",
        hint="export the suite again with this version: portcheck suite export")


def validate(ct: CanonicalTable, *, engine: str = "fast", null_tokens: Sequence[str] = (),
             suite: dict[str, Any] | None = None) -> tuple[dict[str, Any], list[Check]]:
    """Validate one canonical table: the GX result document and one warn-level Check per expectation."""
    from portcheck.checks.suite import build_suite

    if engine not in ENGINES:
        raise UsageError(f"unknown validation engine '{engine}'", hint="use --engine fast or --engine gx")
    suite = suite if suite is not None else build_suite(ct.object, ct.columns)
    if engine == "fast":
        return assemble(ct, suite, [r for task in column_tasks(ct, suite, null_tokens) for r in task()])
    prepared = prepare_table(ct, suite, null_tokens)
    doc = run_gx(prepared, suite, ct.object, rows=ct.rows)
    return doc, checks_from_result(doc, ct.object)


def column_tasks(ct: CanonicalTable, suite: dict[str, Any],
                 null_tokens: Sequence[str] = ()) -> list[Callable[[], list[tuple[int, dict[str, Any]]]]]:
    """The fast engine's work on one table, one task per column the suite reads: each prepares its column
    and evaluates the expectations on it, returning (position in the suite, result). The tasks may run in
    any order, on any thread (the checks share them out between two); :func:`assemble` makes the result
    document of what they return. Together they are :func:`run_fast` on :func:`prepare_table`."""
    by_column: dict[str, list[int]] = {}
    for i, e in enumerate(suite["expectations"]):
        by_column.setdefault(e["kwargs"]["column"], []).append(i)

    def task(positions: list[int]) -> list[tuple[int, dict[str, Any]]]:
        expectations = suite["expectations"]
        col = _prepared_column(ct, expectations[positions[0]], null_tokens)
        return [(i, _result(expectations[i], col, ct.object)) for i in positions]

    return [lambda positions=positions: task(positions) for positions in by_column.values()]


def assemble(ct: CanonicalTable, suite: dict[str, Any],
             outcomes: list[tuple[int, dict[str, Any]]]) -> tuple[dict[str, Any], list[Check]]:
    """The result document and checks from what :func:`column_tasks` returned (in any order)."""
    doc = _document([r for _, r in sorted(outcomes, key=lambda o: o[0])], suite, engine="fast", rows=ct.rows)
    return doc, checks_from_result(doc, ct.object)


# --------------------------------------------------------------------------------------------- fast engine


def _gx_version() -> str:
    try:
        return metadata.version("great_expectations")
    except metadata.PackageNotFoundError:  # pragma: no cover
        return "unknown"


def _unexpected_mask(etype: str, col: pa.Array, kwargs: dict[str, Any]) -> pa.Array:
    """Boolean mask of unexpected rows among non-null ones (nulls map to False)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if etype == "expect_column_values_to_match_regex":
        mask = pc.invert(pc.match_substring_regex(col, kwargs["regex"]))
    elif etype == "expect_column_values_to_not_match_regex":
        required = _REQUIRED_BYTES.get(kwargs["regex"])
        if required is not None and isinstance(col, pa.Array) and pa.types.is_string(col.type):
            return pa.array(_matching_rows_holding(col, kwargs["regex"], required))
        mask = pc.match_substring_regex(col, kwargs["regex"])
    elif etype == "expect_column_values_to_be_in_set":
        mask = pc.invert(pc.is_in(col, value_set=pa.array(kwargs["value_set"], pa.string())))
    elif etype == "expect_column_values_to_not_be_in_set":
        mask = pc.is_in(col, value_set=pa.array(kwargs["value_set"], pa.string()))
    elif etype == "expect_column_values_to_be_unique":
        import numpy as np

        from portcheck.checks._arrow import repeats

        mask = np.zeros(len(col), bool)
        mask[repeats(col).rows] = True  # every row of a value that occurs more than once
        mask = pa.array(mask)
    else:
        raise UsageError(f"the fast engine cannot evaluate {etype}",
                         hint="run with --engine gx, or remove that expectation from the suite")
    return pc.and_(pc.fill_null(mask, False), pc.is_valid(col))


# Bytes every match of a regex holds: values without any of them are not matched, and are not run through
# it (IDs and phones in scientific notation hold an E; the regex costs 25-55 ms a million values, finding
# the few with an E 5-10).
_REQUIRED_BYTES = {rules.SCIENTIFIC_REGEX: b"Ee"}


def _matching_rows_holding(col: pa.Array, regex: str, required: bytes) -> Any:
    """A numpy mask of the non-null values matching ``regex``, which only values holding one of the
    ``required`` bytes can match."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from portcheck.checks._arrow import rows_holding, string_bytes

    mask = np.zeros(len(col), bool)
    if len(col) == 0:
        return mask
    offsets, data = string_bytes(col)
    table = np.zeros(256, bool)
    table[list(required)] = True
    at = np.flatnonzero(table[data])
    if len(at):
        rows = rows_holding(offsets, at)
        hit = pc.fill_null(pc.match_substring_regex(col.take(pa.array(rows)), regex), False)
        mask[rows[np.asarray(hit.to_numpy(zero_copy_only=False), bool)]] = True
    return mask


def _evaluate(etype: str, col: pa.Array, kwargs: dict[str, Any]) -> dict[str, Any]:
    import pyarrow.compute as pc

    n = len(col)
    if etype == "expect_column_values_to_not_be_null":
        mask = pc.is_null(col)
        nonnull = None
        considered = n
    else:
        mask = _unexpected_mask(etype, col, kwargs)
        nonnull = n - col.null_count
        considered = nonnull
    unexpected = int(pc.sum(mask).as_py() or 0)
    idx = pc.indices_nonzero(mask)[:PARTIAL_COUNT]
    partial = pc.take(col, idx).to_pylist()
    success = True if n == 0 or considered == 0 else (
        (float(considered) - float(unexpected)) / float(considered) >= kwargs.get("mostly", 1.0))
    result = _format_map_output(n, nonnull, unexpected, partial, idx.to_pylist())
    return {"success": success, "result": result}


def _format_map_output(element_count: int, nonnull_count: int | None, unexpected_count: int,
                       partial: list[Any], partial_index: list[int]) -> dict[str, Any]:
    """GX's SUMMARY result for a column map expectation, same keys, same arithmetic, same order."""
    skip_missing = nonnull_count is None
    missing_count = None if skip_missing else element_count - nonnull_count  # type: ignore[operator]
    missing_percent = unexpected_percent_total = unexpected_percent_nonmissing = None
    if element_count > 0:
        unexpected_percent_total = unexpected_count / element_count * 100
        if not skip_missing:
            missing_percent = missing_count / element_count * 100  # type: ignore[operator]
            if nonnull_count:
                unexpected_percent_nonmissing = unexpected_count / nonnull_count * 100
        else:
            unexpected_percent_nonmissing = unexpected_percent_total
    result: dict[str, Any] = {"element_count": element_count, "unexpected_count": unexpected_count,
                              "unexpected_percent": unexpected_percent_nonmissing,
                              "partial_unexpected_list": partial}
    if not skip_missing:
        result.update({"missing_count": missing_count, "missing_percent": missing_percent,
                       "unexpected_percent_total": unexpected_percent_total,
                       "unexpected_percent_nonmissing": unexpected_percent_nonmissing})
    counts = Counter(partial).most_common(PARTIAL_COUNT)
    if any(v is None for v, _ in counts):
        ordered = counts  # a single None value: nothing to sort
    else:
        ordered = sorted(counts, key=lambda x: (-x[1], x[0]))
    result["partial_unexpected_counts"] = [{"value": v, "count": c} for v, c in ordered]
    result["partial_unexpected_index_list"] = partial_index
    return result


def run_fast(prepared: pa.Table, suite: dict[str, Any], obj: str, *,
             rows: int | None = None) -> dict[str, Any]:
    """Evaluate the suite on the prepared table with pyarrow.compute; a GX-shaped result document."""
    from portcheck.checks._arrow import column_or_nulls

    results = [_result(e, column_or_nulls(prepared, e["kwargs"]["column"]), obj)
               for e in suite["expectations"]]
    return _document(results, suite, engine="fast", rows=prepared.num_rows if rows is None else rows)


def _result(e: dict[str, Any], col: pa.Array, obj: str) -> dict[str, Any]:
    """One expectation's entry of the result document, evaluated on its prepared column."""
    kwargs = e["kwargs"]
    outcome = _evaluate(e["type"], col, kwargs)
    return {
        "success": outcome["success"],
        "expectation_config": {"type": e["type"], "kwargs": {"batch_id": f"{DATASOURCE}-{obj}",
                                                             **dict(sorted(kwargs.items()))},
                               "meta": e.get("meta", {}), "severity": e.get("severity", "critical")},
        "result": outcome["result"],
        "meta": {},
        "exception_info": {"raised_exception": False, "exception_traceback": None,
                           "exception_message": None},
    }


def _document(results: list[dict[str, Any]], suite: dict[str, Any], *, engine: str, rows: int,
              meta: dict[str, Any] | None = None) -> dict[str, Any]:
    evaluated = len(results)
    ok = sum(1 for r in results if r["success"])
    doc_meta = {"great_expectations_version": _gx_version()}
    doc_meta.update(meta or {})
    doc_meta["portcheck"] = {"engine": engine, "rows": rows}
    return {
        "success": all(r["success"] for r in results),
        "results": results,
        "suite_name": suite["name"],
        "suite_parameters": {},
        "statistics": {"evaluated_expectations": evaluated, "successful_expectations": ok,
                       "unsuccessful_expectations": evaluated - ok,
                       "success_percent": ok / evaluated * 100 if evaluated else None},
        "meta": doc_meta,
        "id": None,
    }


# ----------------------------------------------------------------------------------------------- GX engine


def run_gx(prepared: pa.Table, suite: dict[str, Any], obj: str, *, rows: int | None = None) -> dict[str, Any]:
    """Run Great Expectations itself (pandas engine, ephemeral context) on the prepared table."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    asset = context.data_sources.add_pandas(name=DATASOURCE).add_dataframe_asset(name=obj)
    batch_definition = asset.add_batch_definition_whole_dataframe("whole")
    frame = prepared.to_pandas()
    gx_suite = gx.ExpectationSuite(**copy.deepcopy(suite))
    batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
    raw = batch.validate(gx_suite, result_format=dict(RESULT_FORMAT)).to_json_dict()
    results = _in_suite_order(raw["results"], suite)
    for r in results:  # GX hands back pandas NaN for missing values in partial lists: make them JSON null
        res = r.get("result") or {}
        if "partial_unexpected_list" in res:
            res["partial_unexpected_list"] = [_none_if_nan(v) for v in res["partial_unexpected_list"]]
        for item in res.get("partial_unexpected_counts", []) or []:
            if "value" in item:
                item["value"] = _none_if_nan(item["value"])
    raw_meta = {k: v for k, v in raw.get("meta", {}).items() if k != "great_expectations_version"}
    raw_meta.pop("batch_markers", None)  # load time and data fingerprint: not reproducible, not needed
    return _document(results, suite, engine="gx", rows=prepared.num_rows if rows is None else rows,
                     meta=raw_meta)


def _signature(etype: str, kwargs: dict[str, Any]) -> str:
    import json

    return json.dumps([etype, {k: v for k, v in kwargs.items() if k != "batch_id"}], sort_keys=True)


def _in_suite_order(results: list[dict[str, Any]], suite: dict[str, Any]) -> list[dict[str, Any]]:
    """GX groups results its own way; put them back in the suite's order."""
    position = {_signature(e["type"], e["kwargs"]): i for i, e in enumerate(suite["expectations"])}
    return sorted(results, key=lambda r: position.get(
        _signature(r["expectation_config"]["type"], r["expectation_config"]["kwargs"]), len(position)))


def _none_if_nan(v: Any) -> Any:
    return None if isinstance(v, float) and v != v else v


# ---------------------------------------------------------------------------------------- checks, masking


def considered_count(result: dict[str, Any]) -> int:
    """Rows an expectation judged: every row for not-null, the non-empty ones for the others."""
    res = result["result"]
    missing = res.get("missing_count")
    return int(res["element_count"]) - int(missing or 0)


def checks_from_result(doc: dict[str, Any], obj: str) -> list[Check]:
    """One warn-level Check per expectation, in the suite's order (whatever order the engine used)."""
    checks = []
    for r in doc["results"]:
        cfg = r["expectation_config"]
        info = cfg.get("meta", {}).get("portcheck", {})
        short = info.get("short_name") or f"{cfg['kwargs']['column']}_{cfg['type']}"
        fld = info.get("field", cfg["kwargs"]["column"])
        considered = considered_count(r)
        unexpected = int(r["result"]["unexpected_count"] or 0)
        suffix = short[len(fld) + 1:] if short.startswith(fld + "_") else short
        what = _DESCRIPTIONS.get(suffix, f"failing {cfg['type']}")
        if considered == 0:
            status, observed = "not_assessed", None
            message = f"{fld}: no values to judge"
            if info.get("derived") == "phone" and r["result"]["element_count"]:
                message = (f"{fld}: no number could be judged (numbers without + need the record's country "
                           "or a default region: --region)")
        else:
            good = considered - unexpected
            status = "pass" if passes_at_least(good, considered, VALIDITY_THRESHOLD) else "warn"
            observed = rate(good, considered)
            message = f"{fld}: {unexpected} of {considered} values {what}"
        checks.append(Check(id=f"{obj}.validity.{short}", status=status, gating=False, observed=observed,
                            threshold=VALIDITY_THRESHOLD, message=message))
    return checks


def mask_gx_result(doc: dict[str, Any], masker: Callable[[Any], Any]) -> dict[str, Any]:
    """A copy of a validation document with customer values in partial lists masked (keys and flags kept)."""
    out = copy.deepcopy(doc)
    for r in out.get("results", []):
        cfg = r.get("expectation_config", {})
        info = cfg.get("meta", {}).get("portcheck", {})
        if info.get("key") or info.get("derived"):
            continue  # IDs are never masked; flag columns hold only 'valid'/'invalid'
        res = r.get("result") or {}
        if "partial_unexpected_list" in res:
            res["partial_unexpected_list"] = [masker(v) for v in res["partial_unexpected_list"]]
        for item in res.get("partial_unexpected_counts", []) or []:
            if "value" in item:
                item["value"] = masker(item["value"])
    return out
