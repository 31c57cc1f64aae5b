"""report.html: one self-contained file a procurement manager or a lawyer reads, in English or Chinese.

:func:`render_html` turns a report dict (report.json's contract, plus the optional keys the run adds:
``control_totals``, ``examples``, ``orphan_examples``, ``fuzzy_examples``, ``traps``, ``requested_at``,
``delivered_at``, ``show_values``, ``deleted``) into HTML with inline CSS and inline SVG charts: no script, no
network, no external font or image (a Content-Security-Policy forbids them). Every value goes through
Jinja2's autoescaping; data values, IDs, hashes and check IDs carry ``class="d"`` so a reader (and a test)
can tell them from the report's own words, which all come from :mod:`portcheck.report.i18n`.

The order answers the reader's first question first: the verdict and the contract clauses, then per object
the figures behind them, then the traps of a drill, the inventory, the inputs with their SHA-256, the policy
and options, and how to verify the report.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from portcheck.report import i18n
from portcheck.report.i18n import OBJECTS, check_lang, exact_rate, fmt_int, fmt_rate, fmt_threshold

TEMPLATES = Path(__file__).with_name("templates")


def render_html(report: dict, *, lang: str = "en") -> str:
    """The report as one self-contained HTML document in ``lang`` ("en" or "zh")."""
    check_lang(lang)
    return _env().get_template(TEMPLATE).render(**build_view(report, lang))


_ENV = None
TEMPLATE = "report.html.j2"


def prepare() -> None:
    """Load and compile the report's template now (0.05 s), so that rendering it later only renders: the
    run does this on its second thread while the first finishes the checks."""
    _env().get_template(TEMPLATE)


def _env():  # type: ignore[no-untyped-def]
    global _ENV
    if _ENV is None:
        import jinja2

        _ENV = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(TEMPLATES)),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
    return _ENV


# ---- small markup helpers (every argument is escaped unless it is already Markup) -----------------------


def data(value: Any) -> Markup:
    """A data value, ID or hash: escaped, marked ``class="d"`` (never translated)."""
    if value is None or value == "":
        return Markup('<span class="d empty">∅</span>')
    return Markup('<span class="d" translate="no">{}</span>').format(value)


def code(value: Any) -> Markup:
    return Markup('<code class="d" translate="no">{}</code>').format(value)


class _Tr:
    """``T(key, **kw)`` in templates: the i18n string, escaped, with its arguments escaped into it."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, key: str, **kw: Any) -> Markup:
        template = escape(i18n.raw(key, self.lang))
        return Markup(template).format(**kw) if kw else Markup(template)


def field_markup(obj: str | None, fld: str, lang: str) -> Markup:
    label = i18n.field_label(obj, fld, lang)
    return escape(label) if label is not None else code(fld)


def object_markup(obj: str, lang: str) -> Markup:
    return escape(i18n.object_label(obj, lang)) if obj in OBJECTS else code(obj)


def check_markup(cid: str, lang: str) -> Markup:
    """A check ID in words ("Contacts: fidelity of email") for the IDs portcheck knows; else the ID."""
    T = _Tr(lang)
    parts = cid.split(".")
    if parts[0] in OBJECTS and len(parts) >= 2:
        obj, kind, rest = parts[0], parts[1], ".".join(parts[2:])
        o = object_markup(obj, lang)
        if kind == "fidelity" and rest:
            return T("chk_fidelity", object=o, field=field_markup(obj, rest, lang))
        if kind == "orphans" and rest:
            return T("chk_orphans", object=o, field=field_markup(obj, rest, lang))
        if kind == "validity" and rest:
            return T("chk_validity", object=o)
        if kind in ("completeness", "uniqueness", "required_fields", "declared_total") and not rest:
            return T(f"chk_{kind}", object=o)
    if cid.startswith("handover.") and f"chk_handover_{parts[-1]}" in i18n.MESSAGES:
        return T(f"chk_handover_{parts[-1]}")
    return code(cid)


def _status_markup(status: str, lang: str, table: dict[str, tuple[str, str]]) -> Markup:
    label = i18n.label_of(table, status, lang)
    if label is None:
        return code(status)
    return Markup('<span class="st st-{}">{}</span>').format(status, label)


# ---- numbers -------------------------------------------------------------------------------------------


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def fmt_amount(value: Any) -> str:
    d = _decimal(value)
    if d is None:
        return "—" if value is None else str(value)
    exp = d.as_tuple().exponent
    places = -exp if isinstance(exp, int) and exp < 0 else 0
    return f"{d:,.{places}f}"


def fmt_bytes(n: Any) -> str:
    return fmt_int(n)


# ---- the view ------------------------------------------------------------------------------------------


def build_view(report: dict, lang: str) -> dict[str, Any]:
    """Everything the template shows, already worded and formatted for ``lang``."""
    T = _Tr(lang)
    checks = [c for c in report.get("checks") or [] if isinstance(c, dict) and "id" in c]
    verdict = str(report.get("verdict", "fail"))
    gating_failed = [c for c in checks if c.get("gating") and c.get("status") == "fail"]
    clauses = [c for c in report.get("clauses") or [] if isinstance(c, dict)]
    counts = {s: sum(1 for c in clauses if c.get("status") == s) for s in ("met", "not_met", "not_assessed")}
    show_values = bool(report.get("show_values"))
    objects = report.get("objects") or {}
    exact = i18n.exact_rates(objects)
    view: dict[str, Any] = {
        "T": T,
        "lang": lang,
        "html_lang": "zh-CN" if lang == "zh" else "en",
        "data": data,
        "code": code,
        "verdict": verdict,
        "verdict_label": T("verdict_pass" if verdict == "pass" else "verdict_fail"),
        "verdict_sentence": (
            T("verdict_pass_sentence")
            if verdict == "pass"
            else T("verdict_fail_sentence", n=fmt_int(len(gating_failed)))
        ),
        "clause_summary": (
            T(
                "clause_summary",
                met=fmt_int(counts["met"]),
                not_met=fmt_int(counts["not_met"]),
                not_assessed=fmt_int(counts["not_assessed"]),
            )
            if clauses
            else T("clause_summary_none")
        ),
        "meta": _meta(report, lang),
        "show_values": show_values,
        "summary_rows": [
            _summary_row(o, objects.get(o) or {}, checks, lang) for o in OBJECTS if o in objects
        ],
        "failing": [_check_row(c, lang, exact) for c in gating_failed],
        "clauses": [_clause_row(c, checks, lang) for c in clauses],
        "other_checks": [_check_row(c, lang) for c in checks if str(c["id"]).split(".")[0] not in OBJECTS],
        "objects": [
            _object_view(o, objects[o], checks, report, lang, exact) for o in OBJECTS if o in objects
        ],
        "traps": [_trap_row(t, lang) for t in report.get("traps") or [] if isinstance(t, dict)],
        "inventory": [_inventory_row(e, lang) for e in report.get("inventory") or [] if isinstance(e, dict)],
        "inputs": [_input_row(i, lang) for i in report.get("inputs") or [] if isinstance(i, dict)],
        "policy_rows": _policy_rows(report.get("policy") or {}, lang),
        "option_rows": _option_rows(report, lang),
    }
    view["unread_tables"] = sum(1 for e in view["inventory"] if e["unread"])
    return view


def _meta(report: dict, lang: str) -> list[tuple[Markup, Markup]]:
    T = _Tr(lang)
    rows = [(T("generated_at"), data(report.get("generated_at")))]
    profile = report.get("profile") or {}
    if isinstance(profile, dict) and profile.get("name"):
        rows.append((T("profile"), data(profile["name"])))
    for key in ("requested_at", "delivered_at"):
        if report.get(key):
            rows.append((T(key), data(report[key])))
    if report.get("portcheck_version"):
        rows.append((T("portcheck_version"), data(report["portcheck_version"])))
    return rows


def _summary_row(obj: str, o: dict, checks: list[dict], lang: str) -> dict[str, Any]:
    rec = o.get("records") or {}
    fid = o.get("fidelity") or {}
    mine = [c for c in checks if str(c["id"]).startswith(obj + ".") and c.get("gating")]
    failed = any(c.get("status") == "fail" for c in mine)
    completeness = exact_rate(rec.get("matched"), rec.get("reference"))
    return {
        "label": object_markup(obj, lang),
        "anchor": obj,
        "reference": fmt_int(rec.get("reference")) if rec.get("reference") is not None else "—",
        "export": fmt_int(rec.get("export")),
        "matched": fmt_int(rec.get("matched")),
        "completeness": fmt_rate(completeness if completeness is not None else o.get("completeness")),
        "fidelity": fmt_rate(exact_rate(fid.get("matched"), fid.get("compared")) or fid.get("rate")),
        "status": _status_markup("fail" if failed else "pass", lang, i18n.CHECK_STATUS_LABELS),
        "failed": failed,
    }


def _check_row(c: dict, lang: str, exact: dict[str, Fraction] | None = None) -> dict[str, Any]:
    obs, op, thr = i18n.check_figures(c, lang, (exact or {}).get(str(c["id"])))
    return {
        "label": check_markup(str(c["id"]), lang),
        "id": str(c["id"]),
        "status": str(c.get("status")),
        "status_label": _status_markup(str(c.get("status")), lang, i18n.CHECK_STATUS_LABELS),
        "observed": obs,
        "op": op,
        "threshold": thr,
        "gating": i18n.t("yes" if c.get("gating") else "no", lang),
    }


def _clause_row(clause: dict, checks: list[dict], lang: str) -> dict[str, Any]:
    by_id = {c["id"]: c for c in checks}
    text = clause.get("text_zh") if lang == "zh" and clause.get("text_zh") else clause.get("text")
    fallback = lang == "zh" and not clause.get("text_zh")
    failing, unassessed, passing = [], [], 0
    for cid in clause.get("evidence") or []:
        st = (by_id.get(cid) or {}).get("status", "absent")
        if st == "fail":
            failing.append(cid)
        elif st in ("pass", "warn"):
            passing += 1
        else:
            unassessed.append(cid)
    status = str(clause.get("status"))
    return {
        "id": clause.get("id"),
        "text": data(text) if fallback else escape(text or ""),
        "status": status,
        "status_label": _status_markup(status, lang, i18n.CLAUSE_STATUS_LABELS),
        "failing": [(code(cid), check_markup(cid, lang)) for cid in failing],
        "unassessed": [(code(cid), check_markup(cid, lang)) for cid in unassessed],
        "passing": passing,
    }


def _object_view(
    obj: str, o: dict, checks: list[dict], report: dict, lang: str, exact: dict[str, Fraction]
) -> dict[str, Any]:
    T = _Tr(lang)
    rec = o.get("records") or {}
    fid = o.get("fidelity") or {}
    fields = fid.get("fields") or {}
    policy = report.get("policy") or {}
    has_reference = rec.get("reference") is not None
    deleted = rec.get("deleted")
    if not deleted:
        deleted = (report.get("deleted") or {}).get(obj) if isinstance(report.get("deleted"), dict) else None
    completeness = exact_rate(rec.get("matched"), rec.get("reference"))
    if has_reference:
        records_sentence = T(
            "records_sentence",
            matched=fmt_int(rec.get("matched")),
            reference=fmt_int(rec.get("reference")),
            completeness=fmt_rate(
                completeness if completeness is not None else o.get("completeness"),
                threshold=_thr(policy, obj, "completeness"),
            ),
            missing=fmt_int(rec.get("missing", 0)),
            extra=fmt_int(rec.get("extra", 0)),
        )
    else:
        records_sentence = T("records_sentence_noref", export=fmt_int(rec.get("export")))
    declared = o.get("declared_total")
    declared_sentence = None
    if isinstance(declared, dict) and "declared" in declared:
        key = (
            "declared_total_ok" if declared.get("declared") == declared.get("read") else "declared_total_bad"
        )
        declared_sentence = T(
            key, declared=fmt_int(declared.get("declared")), read=fmt_int(declared.get("read"))
        )

    # defects in plain words: per field when the report breaks them down, else per object
    defects = o.get("defects") or {}
    total_defects = sum(v for v in defects.values() if isinstance(v, int))
    sentences: list[Markup] = []
    per_field = {
        f: fd.get("defects")
        for f, fd in fields.items()
        if isinstance(fd, dict) and isinstance(fd.get("defects"), dict)
    }
    for kind in i18n.DEFECT_KINDS:
        if per_field:
            for f, fd in per_field.items():
                n = fd.get(kind) or 0
                if n:
                    at = fields[f].get("truncated_at") if kind == "truncated" else None
                    sentences.append(
                        escape(
                            i18n.defect_sentence(
                                kind, lang, n=n, truncated_at=at, field=i18n.field_label(obj, f, lang) or f
                            )
                        )
                    )
        elif defects.get(kind):
            sentences.append(escape(i18n.defect_sentence(kind, lang, n=defects[kind])))
    for kind, n in defects.items():  # a defect kind this version does not know: still shown
        if kind not in i18n.DEFECT_KINDS and n:
            sentences.append(Markup("{}: {}").format(code(kind), fmt_int(n)))

    fmt_diffs = [
        (field_markup(obj, f, lang), fmt_int(n)) for f, n in (o.get("format_differences") or {}).items() if n
    ]
    dup = o.get("duplicates") or {}
    orphans = o.get("orphans") or {}
    return {
        "name": obj,
        "label": object_markup(obj, lang),
        "anchor": obj,
        "records": [
            (T(f"col_{k}"), fmt_int(rec.get(k)) if rec.get(k) is not None else "—")
            for k in ("reference", "export", "matched", "missing", "extra", "deleted", "ambiguous")
            if k in rec or k == "deleted" and deleted
        ],
        "records_sentence": records_sentence,
        "deleted_sentence": T("deleted_sentence", n=fmt_int(deleted)) if deleted else None,
        "declared_sentence": declared_sentence,
        "declared_bad": isinstance(declared, dict) and declared.get("declared") != declared.get("read"),
        "missing_fields": (
            T(
                "missing_fields",
                fields=_join([field_markup(obj, f, lang) for f in o.get("missing_fields") or []], lang),
            )
            if o.get("missing_fields")
            else None
        ),
        "unmapped_columns": (
            T("unmapped_columns", fields=_join([code(c) for c in o.get("unmapped_columns")], lang))
            if o.get("unmapped_columns")
            else None
        ),
        "fidelity_sentence": (
            T(
                "fidelity_sentence",
                matched=fmt_int(fid.get("matched")),
                compared=fmt_int(fid.get("compared")),
                rate=fmt_rate(exact_rate(fid.get("matched"), fid.get("compared")) or fid.get("rate")),
            )
            if fid.get("compared")
            else T("fidelity_none")
        ),
        "chart": _chart(obj, fields, checks, policy, lang) if fields else None,
        "defect_total": T("defects_total", n=fmt_int(total_defects)) if total_defects else None,
        "defect_sentences": sentences,
        "format_diffs": fmt_diffs,
        "examples": [_example_row(obj, e, lang) for e in o.get("examples") or [] if isinstance(e, dict)],
        "duplicates_sentence": T(
            "duplicates_sentence",
            keys=fmt_int(dup.get("keys", 0)),
            rows=fmt_int(dup.get("rows", 0)),
            clusters=fmt_int(dup.get("fuzzy_clusters", 0)),
            fuzzy=fmt_int(dup.get("fuzzy_records", 0)),
        ),
        "has_duplicates": any((dup.get(k) or 0) for k in ("keys", "rows", "fuzzy_clusters", "fuzzy_records")),
        "fuzzy": [
            {
                "cluster": data(e.get("cluster")),
                "ids": _join([data(k) for k in e.get("keys") or []], lang),
                "matched_on": _join([field_markup(obj, f, lang) for f in e.get("matched_on") or []], lang),
            }
            for e in o.get("fuzzy_examples") or []
            if isinstance(e, dict)
        ],
        "orphans": [
            T("orphans_sentence", n=fmt_int(n), field=field_markup(obj, f, lang))
            for f, n in orphans.items()
            if n
        ],
        "orphan_examples": [
            {
                "key": data(e.get("key")),
                "field": field_markup(obj, str(e.get("field")), lang),
                "value": data(e.get("value")),
            }
            for e in o.get("orphan_examples") or []
            if isinstance(e, dict)
        ],
        "control_totals": _control_totals(o.get("control_totals"), lang),
        "checks": [
            _check_row(c, lang, exact)
            for c in checks
            if str(c["id"]).startswith(obj + ".") and i18n.check_kind(str(c["id"])) != "fidelity"
        ],
    }


def _thr(policy: dict, obj: str, kind: str, fld: str | None = None) -> Any:
    o = (policy.get("overrides") or {}).get(obj) or {}
    if kind == "fidelity":
        per = o.get("fidelity")
        if isinstance(per, dict) and fld in per:
            return per[fld]
        if per is not None and not isinstance(per, dict):
            return per
        return policy.get("fidelity", 0.99)
    return o.get(kind, policy.get(kind, 0.99))


def _join(items: list[Markup], lang: str) -> Markup:
    sep = Markup("、") if lang == "zh" else Markup(", ")
    return sep.join(items)


def _example_row(obj: str, e: dict, lang: str) -> dict[str, Any]:
    kind = str(e.get("defect", ""))
    label = i18n.label_of(i18n.DEFECT_LABELS, kind, lang)
    return {
        "key": data(e.get("key")),
        "field": field_markup(obj, str(e.get("field", "")), lang),
        "defect": escape(label) if label else code(kind),
        "reference": data(e.get("reference")),
        "export": data(e.get("export")),
    }


def _control_totals(ct: Any, lang: str) -> list[dict[str, Any]]:
    if not isinstance(ct, dict):
        return []
    T = _Tr(lang)
    out = []
    specs = (
        ("amount_by_currency", "col_currency", True),
        ("count_by_stage", "col_stage", False),
        ("count_by_owner", "col_owner", False),
    )
    for key, head, is_amount in specs:
        table = ct.get(key)
        if not isinstance(table, dict) or not table:
            continue
        rows = []
        for name, sides in table.items():
            sides = sides if isinstance(sides, dict) else {}
            ref, exp = sides.get("reference"), sides.get("export")
            if is_amount:
                dr, de = _decimal(ref), _decimal(exp)
                diff = fmt_amount(de - dr) if dr is not None and de is not None else "—"
                ref_s, exp_s = fmt_amount(ref) if ref is not None else "—", fmt_amount(exp)
                bad = dr is not None and de is not None and dr != de
            else:
                diff = fmt_int(exp - ref) if isinstance(ref, int) and isinstance(exp, int) else "—"
                ref_s, exp_s = fmt_int(ref) if ref is not None else "—", fmt_int(exp)
                bad = isinstance(ref, int) and isinstance(exp, int) and ref != exp
            if diff not in ("—",) and not diff.startswith("-") and bad:
                diff = "+" + diff
            if key == "count_by_stage":
                label = i18n.label_of(i18n.STAGE_LABELS, str(name), lang)
                name_m = escape(label) if label else data(name)
            else:
                name_m = data(name)
            rows.append({"name": name_m, "reference": ref_s, "export": exp_s, "diff": diff, "bad": bad})
        out.append(
            {"head": T(head), "value_head": T("col_amount" if is_amount else "col_count"), "rows": rows}
        )
    return out


def _chart(obj: str, fields: dict, checks: list[dict], policy: dict, lang: str) -> dict[str, Any]:
    """Geometry of the per-field fidelity bar chart (drawn as inline SVG by the template)."""
    by_id = {c["id"]: c for c in checks}
    rows = []
    values: list[Fraction] = []
    for f, fd in fields.items():
        if not isinstance(fd, dict):
            continue
        r = exact_rate(fd.get("matched"), fd.get("compared"))
        if r is None and isinstance(fd.get("rate"), (int, float)):
            r = Fraction(str(fd["rate"]))
        check = by_id.get(f"{obj}.fidelity.{f}") or {}
        thr = check.get("threshold") if check else _thr(policy, obj, "fidelity", f)
        informational = thr == "informational" or thr is None or (check and not check.get("gating", True))
        thr_f = None if informational else Fraction(str(thr))
        status = (
            check.get("status")
            if check
            else ("not_assessed" if r is None else "pass" if thr_f is None or r >= thr_f else "fail")
        )
        if r is not None:
            values.append(r)
        if thr_f is not None:
            values.append(thr_f)
        label = i18n.field_label(obj, f, lang)
        rows.append(
            {
                "label": label or f,
                "is_code": label is None,
                "rate": r,
                "thr": thr_f,
                "status": "info" if informational else status,
                "text": fmt_rate(r, threshold=thr_f),
                "counts": f"{fmt_int(fd.get('matched'))}/{fmt_int(fd.get('compared'))}",
            }
        )
    lowest = min(values) if values else Fraction(0)
    low = Fraction(0)
    for candidate in ("0.98", "0.95", "0.9", "0.8", "0.5"):
        c = Fraction(candidate)
        if c < lowest - (1 - c) / 20:
            low = c
            break
    x0, width, row_h = 190, 360, 22
    top = 22
    for i, row in enumerate(rows):
        r = row["rate"]
        row["y"] = top + i * row_h
        row["w"] = 0 if r is None else round(float((max(r, low) - low) / (1 - low)) * width, 2)
        row["tx"] = (
            None if row["thr"] is None else round(x0 + float((row["thr"] - low) / (1 - low)) * width, 2)
        )
    thresholds = sorted({row["thr"] for row in rows if row["thr"] is not None})
    return {
        "rows": rows,
        "x0": x0,
        "width": width,
        "row_h": row_h,
        "top": top,
        "height": top + len(rows) * row_h + 8,
        "low": fmt_threshold(low),
        "full": "100%",
        "caption": _Tr(lang)("chart_caption", low=fmt_threshold(low)),
        "has_info": any(r["status"] == "info" for r in rows),
        "thr_lines": [
            {"x": round(x0 + float((t - low) / (1 - low)) * width, 2), "label": fmt_threshold(t)}
            for t in thresholds
        ],
    }


def _trap_row(t: dict, lang: str) -> dict[str, Any]:
    label = t.get("label_zh") if lang == "zh" else t.get("label")
    defects = t.get("defects") or {}
    seen = []
    for kind, n in defects.items():
        if n:
            dl = i18n.label_of(i18n.DEFECT_LABELS, str(kind), lang)
            seen.append(Markup("{} {}").format(escape(dl) if dl else code(kind), fmt_int(n)))
    return {
        "label": escape(label) if label else code(t.get("trap")),
        "id": t.get("trap"),
        "planted": fmt_int(t.get("planted")),
        "survived": fmt_int(t.get("survived")),
        "lost": fmt_int(t.get("lost")),
        "bad": bool(t.get("lost")),
        "defects": _join(seen, lang),
    }


def _inventory_row(e: dict, lang: str) -> dict[str, Any]:
    mapped = e.get("mapped_to")
    return {
        "name": data(e.get("name")),
        "rows": fmt_int(e.get("rows")),
        "mapped": object_markup(str(mapped), lang) if mapped else _Tr(lang)("not_mapped"),
        "unread": not mapped,
        # What the reader noticed (ragged rows, NUL bytes, a mixed encoding …): the count in both languages,
        # the reader's own words (English) only in the English report; report.json has them all.
        "issue_count": fmt_int(int(e.get("issue_count", len(e.get("issues") or [])) or 0)),
        "issues": [data(t) for t in (e.get("issues") or [])[:5]] if lang == "en" else [],
    }


def _input_row(i: dict, lang: str) -> dict[str, Any]:
    role = str(i.get("role", ""))
    label = i18n.label_of(i18n.ROLE_LABELS, role, lang)
    return {
        "role": escape(label) if label else code(role),
        "name": data(i.get("name")),
        "bytes": fmt_bytes(i.get("bytes")),
        "sha256": data(i.get("sha256")),
    }


def _policy_rows(policy: dict, lang: str) -> list[tuple[Markup, Markup]]:
    T = _Tr(lang)
    rows = []
    for key, op in (("completeness", "≥"), ("fidelity", "≥"), ("uniqueness", "≥"), ("orphans", "≤")):
        if key in policy:
            rows.append((T(f"policy_{key}"), Markup("{} {}").format(op, fmt_threshold(policy[key]))))
    for obj, spec in (policy.get("overrides") or {}).items():
        if not isinstance(spec, dict):
            continue
        for kind, value in spec.items():
            items = value.items() if isinstance(value, dict) else [(None, value)]
            for fld, thr in items:
                what = check_markup(f"{obj}.{kind}" + (f".{fld}" if fld else ""), lang)
                if thr == "informational":
                    shown = T("informational")
                else:
                    op = "≤" if kind == "orphans" else "≥"
                    shown = Markup("{} {}").format(op, fmt_threshold(thr))
                rows.append((Markup("{}: {}").format(T("policy_override"), what), shown))
    return rows


def _option_rows(report: dict, lang: str) -> list[tuple[Markup, Markup]]:
    T = _Tr(lang)
    rows: list[tuple[Markup, Markup]] = []
    options = report.get("options") or {}
    for key, value in options.items():
        label = i18n.label_of(i18n.OPTION_LABELS, str(key), lang)
        name = escape(label) if label else code(key)
        if key == "files" and isinstance(value, dict):
            for fname, digest in value.items():
                flabel = i18n.label_of(i18n.OPTION_LABELS, str(fname), lang)
                rows.append((escape(flabel) if flabel else T("option_files", name=code(fname)), data(digest)))
            continue
        if value in (None, {}, []):
            shown = T("none")
        elif isinstance(value, (dict, list)):
            shown = data(json.dumps(value, ensure_ascii=False, sort_keys=True))
        else:
            shown = data(value)
        rows.append((name, shown))
    profile = report.get("profile")
    if isinstance(profile, dict) and profile.get("sha256"):
        rows.append(
            (T("profile_digest"), Markup("{} {}").format(data(profile.get("name")), data(profile["sha256"])))
        )
    schema = report.get("schema")
    if isinstance(schema, dict) and schema.get("name"):
        rows.append(
            (
                T("schema"),
                Markup("{} {}").format(
                    data(f"{schema.get('name')} v{schema.get('version')}"), data(schema.get("sha256"))
                ),
            )
        )
    return rows
