"""The drill report's ``traps`` section: per trap of a canary set, how many cells came back intact.

For each trap of ``canary.json`` (an object, a field and the records carrying it), a record counts as
*lost* when its cell is a mismatch of the comparison (the defect kind is the comparison's) or when the
record itself did not come back (unpaired: ``missing_record``); otherwise it *survived*. A trap on the
field the comparison paired on cannot lose values (pairing keys are not compared): it is reported with
``"assessed": false`` and only its unpaired records count as lost.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Mapping
from typing import Any

from portcheck.compare.classify import DEFECT_KINDS

MISSING_RECORD = "missing_record"
DEFECT_ORDER = (*DEFECT_KINDS, MISSING_RECORD)
OBJECT_ZH = {"customer": "客户", "contact": "联系人", "opportunity": "商机"}


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _clean(value: Any) -> str:
    return unicodedata.normalize("NFC", str(value)).strip() if value is not None else ""


def traps_section(canary_meta: dict, result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """report.json ``traps`` entries from ``canary.json`` and the comparison (object → ObjectComparison).

    ``result[obj]`` needs ``pair`` (with ``reference_field``), ``mismatches`` (key, field, defect,
    reference, export) and ``missing_keys`` / ``ambiguous_keys`` (pairing-key values of unpaired reference
    records); plain dicts with those keys work too.
    """
    objects_meta = canary_meta.get("objects") or {}
    per_object: dict[str, dict[str, Any]] = {}
    for obj, meta in objects_meta.items():
        comp = result.get(obj) if result else None
        if comp is None:
            per_object[obj] = {"assessed": False}
            continue
        pair = _get(comp, "pair")
        pair_field = _get(pair, "reference_field") if pair is not None else None
        index = meta.get("index") or {}
        canary_ids = index.get(meta.get("canary_id", "x_canary_id")) or []
        lookup: dict[str, str] = {}
        # The pairing field's values first; the other keys as a fallback (a custom --pair-on).
        fields = ([pair_field] if pair_field in index else []) + [f for f in index if f != pair_field]
        for f in fields:
            for value, cid in zip(index[f], canary_ids, strict=False):
                lookup.setdefault(_clean(value), cid)
        lost: dict[tuple[str, str], str] = {}
        for key, field, defect, *_ in _get(comp, "mismatches") or []:
            cid = lookup.get(_clean(key))
            if cid is not None:
                lost.setdefault((cid, field), defect)
        unpaired = {
            lookup[_clean(k)]
            for k in list(_get(comp, "missing_keys") or []) + list(_get(comp, "ambiguous_keys") or [])
            if _clean(k) in lookup
        }
        per_object[obj] = {"assessed": True, "pair_field": pair_field, "lost": lost, "unpaired": unpaired}

    out: list[dict[str, Any]] = []
    for trap in canary_meta.get("traps") or []:
        obj, field = trap["object"], trap["field"]
        state = per_object.get(obj) or {"assessed": False}
        records = trap.get("records") or []
        defects: Counter = Counter()
        assessed = bool(state.get("assessed"))
        if assessed:
            for cid in records:
                if cid in state["unpaired"]:
                    defects[MISSING_RECORD] += 1
                elif (cid, field) in state["lost"]:
                    defects[state["lost"][(cid, field)]] += 1
            if field == state.get("pair_field"):
                assessed = False
        lost_n = sum(defects.values())
        label, label_zh = trap.get("label") or trap["trap"], trap.get("label_zh") or trap["trap"]
        out.append(
            {
                "trap": trap["id"],
                "kind": trap["trap"],
                "label": f"{label} ({obj}.{field})",
                "label_zh": f"{label_zh}（{OBJECT_ZH.get(obj, obj)}.{field}）",
                "object": obj,
                "field": field,
                "planted": len(records),
                "survived": len(records) - lost_n if state.get("assessed") else None,
                "lost": lost_n if state.get("assessed") else None,
                "defects": {k: defects[k] for k in sorted(defects, key=_order)},
                "assessed": assessed,
            }
        )
    return out


def _order(kind: str) -> tuple[int, str]:
    return (DEFECT_ORDER.index(kind) if kind in DEFECT_ORDER else len(DEFECT_ORDER), kind)
