"""What changed between two report.json files of the same export delivered twice (``portcheck diff``).

:func:`diff_reports` compares, per object, the record counts, completeness, overall and per-field fidelity,
defect counts, duplicates and orphans, then every check's status, every clause's status, every drill trap's
losses and the verdict, and sorts each change into *better*, *worse* or *changed* (a figure with no better
direction, such as the number of records exported). Rates are compared exactly, from the counts behind them
when the report has them. :func:`render_diff` words the result for a terminal in English or Chinese.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

from portcheck.errors import InputError
from portcheck.report import i18n
from portcheck.report.i18n import OBJECTS, check_lang, fmt_int, fmt_rate, t

# record count -> +1 more is better, -1 fewer is better, 0 neither
_RECORDS = {
    "reference": 0,
    "export": 0,
    "matched": 1,
    "missing": -1,
    "extra": -1,
    "deleted": 0,
    "ambiguous": -1,
}
_DUPLICATES = ("keys", "rows", "fuzzy_clusters", "fuzzy_records")
_CHECK_RANK = {"pass": 0, "warn": 1, "fail": 2}
_CLAUSE_RANK = {"met": 0, "not_met": 2}


def load_report(path: str | Path) -> dict:
    """Read a report.json, or raise InputError saying why it cannot be used."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(
            f"{p} does not exist", hint="give the report.json files of two portcheck runs"
        ) from None
    except IsADirectoryError:
        if (p / "report.json").is_file():
            return load_report(p / "report.json")
        raise InputError(
            f"{p} is a folder without a report.json",
            hint="give a report.json, or the output folder of a check run",
        ) from None
    except UnicodeDecodeError:
        raise InputError(
            f"{p} is not a portcheck report (not UTF-8 text)",
            hint="give the report.json files of two portcheck runs",
        ) from None
    except OSError as err:
        raise InputError(
            f"{p} cannot be read ({err.strerror})", hint="check the path and its permissions"
        ) from err
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(
            f"{p} is not valid JSON (line {err.lineno})",
            hint="give the report.json files of two portcheck runs",
        ) from None
    if not isinstance(data, dict) or "objects" not in data or "verdict" not in data:
        raise InputError(
            f"{p} is not a portcheck report (it has no verdict or objects)",
            hint="give the report.json files of two portcheck runs",
        )
    if data.get("report_version", 1) != 1:
        raise InputError(
            f"{p} is a report of version {data.get('report_version')!r}; this portcheck reads 1",
            hint="compare it with the portcheck version that wrote it",
        )
    return data


def _num(value: Any) -> Fraction | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Fraction):
        return value
    if isinstance(value, (int, float)):
        return Fraction(str(value))
    return None


def _direction(old: Fraction | None, new: Fraction | None, better: int) -> str | None:
    if old == new:
        return None
    if old is None or new is None or better == 0:
        return "changed"
    return "better" if (new > old) == (better > 0) else "worse"


def diff_reports(old: dict, new: dict) -> dict[str, Any]:
    """Every figure that differs between ``old`` and ``new``, sorted into better, worse and changed."""
    changes: list[dict[str, Any]] = []

    def add(metric: str, kind: str, old_v: Any, new_v: Any, better: int, **label: Any) -> None:
        direction = _direction(_num(old_v), _num(new_v), better)
        if direction:
            changes.append(
                {
                    "metric": metric,
                    "kind": kind,
                    "old": _plain(old_v),
                    "new": _plain(new_v),
                    "direction": direction,
                    **label,
                }
            )

    oo, no = old.get("objects") or {}, new.get("objects") or {}
    for obj in [o for o in OBJECTS if o in oo or o in no] + sorted((set(oo) | set(no)) - set(OBJECTS)):
        a, b = oo.get(obj) or {}, no.get(obj) or {}
        ra, rb = a.get("records") or {}, b.get("records") or {}
        for k, better in _RECORDS.items():
            add(f"{obj}.records.{k}", "records", ra.get(k), rb.get(k), better, object=obj, name=k)
        add(
            f"{obj}.completeness",
            "completeness",
            _rate(ra, "matched", "reference", a.get("completeness")),
            _rate(rb, "matched", "reference", b.get("completeness")),
            1,
            object=obj,
        )
        fa, fb = a.get("fidelity") or {}, b.get("fidelity") or {}
        add(
            f"{obj}.fidelity",
            "fidelity",
            _rate(fa, "matched", "compared", fa.get("rate")),
            _rate(fb, "matched", "compared", fb.get("rate")),
            1,
            object=obj,
        )
        fields_a, fields_b = fa.get("fields") or {}, fb.get("fields") or {}
        for f in list(fields_a) + [f for f in fields_b if f not in fields_a]:
            da, db = fields_a.get(f) or {}, fields_b.get(f) or {}
            add(
                f"{obj}.fidelity.{f}",
                "field_fidelity",
                _rate(da, "matched", "compared", da.get("rate")),
                _rate(db, "matched", "compared", db.get("rate")),
                1,
                object=obj,
                name=f,
            )
        dfa, dfb = a.get("defects") or {}, b.get("defects") or {}
        for k in list(i18n.DEFECT_KINDS) + sorted((set(dfa) | set(dfb)) - set(i18n.DEFECT_KINDS)):
            add(
                f"{obj}.defects.{k}",
                "defect",
                dfa.get(k, 0 if k in dfb else None),
                dfb.get(k, 0 if k in dfa else None),
                -1,
                object=obj,
                name=k,
            )
        dua, dub = a.get("duplicates") or {}, b.get("duplicates") or {}
        for k in _DUPLICATES:
            add(f"{obj}.duplicates.{k}", "duplicates", dua.get(k), dub.get(k), -1, object=obj, name=k)
        ora, orb = a.get("orphans") or {}, b.get("orphans") or {}
        for k in list(ora) + [k for k in orb if k not in ora]:
            add(f"{obj}.orphans.{k}", "orphans", ora.get(k), orb.get(k), -1, object=obj, name=k)

    ca = {c["id"]: c.get("status") for c in old.get("checks") or [] if isinstance(c, dict) and "id" in c}
    cb = {c["id"]: c.get("status") for c in new.get("checks") or [] if isinstance(c, dict) and "id" in c}
    for cid in list(ca) + [c for c in cb if c not in ca]:
        _status_change(changes, f"check:{cid}", "check", ca.get(cid), cb.get(cid), _CHECK_RANK, check=cid)
    la = {c["id"]: c.get("status") for c in old.get("clauses") or [] if isinstance(c, dict) and "id" in c}
    lb = {c["id"]: c.get("status") for c in new.get("clauses") or [] if isinstance(c, dict) and "id" in c}
    for cid in list(la) + [c for c in lb if c not in la]:
        _status_change(changes, f"clause:{cid}", "clause", la.get(cid), lb.get(cid), _CLAUSE_RANK, clause=cid)
    ta = {x["trap"]: x for x in old.get("traps") or [] if isinstance(x, dict) and "trap" in x}
    tb = {x["trap"]: x for x in new.get("traps") or [] if isinstance(x, dict) and "trap" in x}
    for tid in list(ta) + [x for x in tb if x not in ta]:
        add(
            f"trap:{tid}.lost",
            "trap",
            (ta.get(tid) or {}).get("lost"),
            (tb.get(tid) or {}).get("lost"),
            -1,
            trap=tid,
            label=(tb.get(tid) or ta.get(tid) or {}).get("label"),
            label_zh=(tb.get(tid) or ta.get(tid) or {}).get("label_zh"),
        )

    verdict = {"old": old.get("verdict"), "new": new.get("verdict")}
    if verdict["old"] != verdict["new"]:
        changes.insert(
            0,
            {
                "metric": "verdict",
                "kind": "verdict",
                "old": verdict["old"],
                "new": verdict["new"],
                "direction": "better"
                if verdict["new"] == "pass"
                else "worse"
                if verdict["new"] == "fail"
                else "changed",
            },
        )
    notes = []
    if not _comparable(old, new):
        notes.append("different_inputs")
    return {
        "verdict": verdict,
        "worse": [c for c in changes if c["direction"] == "worse"],
        "better": [c for c in changes if c["direction"] == "better"],
        "changed": [c for c in changes if c["direction"] == "changed"],
        "notes": notes,
    }


def _status_change(
    changes: list, metric: str, kind: str, a: Any, b: Any, rank: dict[str, int], **label: Any
) -> None:
    if a == b:
        return
    ra, rb = rank.get(str(a)), rank.get(str(b))
    if ra is not None and rb is not None:
        direction = "better" if rb < ra else "worse"
    elif a is None and rb is not None and rb > 0:
        direction = "worse"  # a new check or clause that fails
    else:
        direction = "changed"  # to or from not_assessed, or appearing/disappearing without failing
    changes.append({"metric": metric, "kind": kind, "old": a, "new": b, "direction": direction, **label})


def _rate(d: dict, num: str, den: str, fallback: Any) -> Fraction | None:
    r = i18n.exact_rate(d.get(num), d.get(den))
    return r if r is not None else _num(fallback)


def _plain(v: Any) -> Any:
    if isinstance(v, Fraction):
        return round(v.numerator / v.denominator, 5)
    return v


def _comparable(old: dict, new: dict) -> bool:
    def refs(r: dict) -> set:
        return {
            (i.get("name"), i.get("sha256"))
            for i in r.get("inputs") or []
            if isinstance(i, dict) and i.get("role") == "reference"
        }

    def profile(r: dict) -> Any:
        p = r.get("profile")
        return p.get("name") if isinstance(p, dict) else p

    return refs(old) == refs(new) and profile(old) == profile(new) and old.get("policy") == new.get("policy")


# ---- wording ---------------------------------------------------------------------------------------------


def change_label(c: dict, lang: str) -> str:
    """One change in words: what it is, then old → new."""
    kind = c["kind"]
    obj = i18n.object_label(c.get("object", ""), lang)
    if kind == "verdict":
        what = t("col_verdict", lang)
    elif kind == "records":
        kind_label = t(f"col_{c['name']}", lang)
        what = t("m_records", lang, kind=kind_label.lower() if lang == "en" else kind_label)
    elif kind == "completeness":
        what = t("m_completeness", lang)
    elif kind == "fidelity":
        what = t("m_fidelity", lang)
    elif kind == "field_fidelity":
        what = t("m_field_fidelity", lang, field=i18n.field_label(c["object"], c["name"], lang) or c["name"])
    elif kind == "defect":
        what = t("m_defect", lang, kind=i18n.label_of(i18n.DEFECT_LABELS, c["name"], lang) or c["name"])
    elif kind == "duplicates":
        what = t("m_duplicates", lang, kind=t(f"dup_{c['name']}", lang))
    elif kind == "orphans":
        what = t("m_orphans", lang, field=i18n.field_label(c["object"], c["name"], lang) or c["name"])
    elif kind == "check":
        what = i18n.check_label(c["check"], lang)
    elif kind == "clause":
        what = f"{t('col_clause', lang)} {c['clause']}"
    else:  # trap
        what = (c.get("label_zh") if lang == "zh" else c.get("label")) or c.get("trap", "")
        what = (
            f"{t('col_trap', lang)} {what}: {t('col_lost', lang)}"
            if lang == "en"
            else f"{t('col_trap', lang)}「{what}」{t('col_lost', lang)}"
        )
    if "object" in c and kind not in ("check",):
        what = t("diff_records", lang, object=obj, what=what)
    return (
        f"{what}: {_value(c, c['old'], lang)} → {_value(c, c['new'], lang)}"
        if lang == "en"
        else f"{what}：{_value(c, c['old'], lang)} → {_value(c, c['new'], lang)}"
    )


def _value(c: dict, v: Any, lang: str) -> str:
    if v is None:
        return "—"
    kind = c["kind"]
    if kind == "verdict":
        return t("verdict_pass" if v == "pass" else "verdict_fail", lang)
    if kind == "check":
        return i18n.label_of(i18n.CHECK_STATUS_LABELS, str(v), lang) or str(v)
    if kind == "clause":
        return i18n.label_of(i18n.CLAUSE_STATUS_LABELS, str(v), lang) or str(v)
    if kind in ("completeness", "fidelity", "field_fidelity"):
        return fmt_rate(v)
    return fmt_int(v)


def render_diff(result: dict, *, lang: str = "en", old_name: str = "OLD", new_name: str = "NEW") -> str:
    check_lang(lang)
    out = [t("diff_title", lang, old=old_name, new=new_name)]
    v = result["verdict"]
    out.append(
        "  "
        + t(
            "diff_verdict",
            lang,
            old=_value({"kind": "verdict"}, v["old"], lang),
            new=_value({"kind": "verdict"}, v["new"], lang),
        )
    )
    if "different_inputs" in result.get("notes", []):
        out.append("  " + t("diff_different_inputs", lang))
    for key, mark in (("worse", "✗"), ("better", "✓"), ("changed", "·")):
        items = [c for c in result[key] if c["kind"] != "verdict"]
        if items:
            out.append("")
            out.append(t(f"diff_{key}", lang, n=len(items)))
            out += [f"  {mark} {change_label(c, lang)}" for c in items]
    out.append("")
    worse = len(result["worse"])
    if worse:
        out.append(t("diff_something_worse", lang, n=worse))
    elif not result["better"] and not result["changed"]:
        out.append(t("diff_no_changes", lang))
    else:
        out.append(t("diff_nothing_worse", lang))
    return "\n".join(out) + "\n"
