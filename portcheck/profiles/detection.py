"""Auto-detection: how well each built-in profile fits an export, with the reason in words.

A profile's score (0–1) is the mean, over the export's raw tables, of how well it claims each one:

- a table claimed by one of the profile's table rules (file name, sheet, JSON path, record type) weighs 1,
  a table claimed only by its headers 0.6, an unclaimed table 0;
- a claimed table counts ``0.3 + 0.7 × recognised``, where ``recognised`` is the share of its columns the
  profile maps (exact spellings 1, loose spellings 0.9; envelope and control columns count as recognised);
- each of the profile's ``detect`` markers found (a vendor-only column, file name or record type) adds 0.1,
  at most 0.2; the score is capped at 1.

Markers break ties between vendors whose labels overlap ("First Name" is in many exports).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from portcheck.profiles.engine import (
    ColumnIndex,
    _control_columns,
    _glob,
    _type_column,
    base_column,
    basename,
    make_plan,
    match_fields,
    sheet_of,
    visible_columns,
)
from portcheck.profiles.spec import Profile

if TYPE_CHECKING:  # pragma: no cover
    from portcheck.readers.interface import ExportSource

MARGIN = 0.05  # when the best two scores are closer than this, detection refuses to guess
SHOWN = 4  # claimed tables and markers named in the reason (and kept in report.json's detection.why)


def score(source: ExportSource, profile: Profile) -> tuple[float, str]:
    """How well ``profile`` fits ``source`` (0–1) and why, in one English phrase."""
    value, why = fit(source, profile)
    return value, describe(why)


def describe(why: dict[str, Any], lang: str = "en") -> str:
    """The phrase for what :func:`fit` found, in English or Chinese (``lang="zh"``)."""
    zh = lang == "zh"
    matched, markers = why.get("matched") or [], why.get("markers") or []
    count = why.get("matched_count", len(matched))
    if not why.get("tables"):
        return "没有数据表" if zh else "no tables"
    if not count:
        return "没有与其布局相符的表" if zh else "no table matches its layout"
    shown = ("、" if zh else ", ").join(matched[:SHOWN]) + (("、…" if zh else ", …") if count > SHOWN else "")
    if zh:
        reason = f"{why['tables']} 个表中 {count} 个相符（{shown}）"
        return reason + (f"；特征：{'、'.join(markers[:SHOWN])}" if markers else "")
    reason = f"{count} of {why['tables']} tables match ({shown})"
    return reason + (f"; markers: {', '.join(markers[:SHOWN])}" if markers else "")


def fit(source: ExportSource, profile: Profile) -> tuple[float, dict[str, Any]]:
    """How well ``profile`` fits ``source`` (0–1), and what was found: ``tables`` (how many were scored),
    ``matched_count`` (how many the profile claims) and ``matched`` (``file→object`` for the first
    :data:`SHOWN`), ``markers`` (the first :data:`SHOWN` of its vendor markers seen)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from portcheck.profiles.transforms import prepare

    source = prepare(source, profile)
    plan = make_plan(source, profile)
    tables = [(i, t) for i, t in enumerate(source.tables) if basename(t).casefold() != "canary.json"]
    if not tables:
        return 0.0, {"tables": 0, "matched_count": 0, "matched": [], "markers": []}
    total = 0.0
    claimed_names: list[str] = []
    for i, raw in tables:
        claims = plan.claims.get(i)
        if not claims:
            continue
        best = 0.0
        for claim in claims:
            spec = profile.objects[claim.object]
            cols = visible_columns(raw, claim.rule)
            if not cols:
                continue
            idx = ColumnIndex(cols, profile.column_prefixes)
            m = match_fields(idx, spec.fields)
            control = _control_columns(raw, profile, spec, cols)
            recognised = (sum(conf for _, conf in m.values())
                          + len(control - {base_column(c) for c, _ in m.values()})) / len(cols)
            weight = 1.0 if claim.how == "rule" else 0.6
            best = max(best, weight * (0.3 + 0.7 * min(recognised, 1.0)))
        total += best
        claimed_names.append(f"{raw.name}→{'+'.join(c.object for c in claims)}")
    result = total / len(tables)
    markers: list[str] = []
    for _, raw in tables:
        idx = ColumnIndex(list(raw.table.column_names), profile.column_prefixes)
        for c in profile.detect_columns:
            if idx.find(c)[1] == 1.0 and c not in markers:
                markers.append(c)
        if profile.detect_files and (_glob(profile.detect_files, basename(raw)) or
                                     _glob(profile.detect_files, raw.name)):
            markers.append(basename(raw))
        if profile.detect_sheets and _glob(profile.detect_sheets, sheet_of(raw)):
            markers.append(f"sheet {sheet_of(raw)}")
        if profile.detect_types:
            tc = _type_column(raw, profile)
            if tc is not None:
                values = pa.array(list(profile.detect_types), pa.string())
                if pc.any(pc.is_in(raw.table.column(tc), value_set=values)).as_py():
                    markers.append(f"{tc} record types")
    markers = list(dict.fromkeys(markers))
    if result > 0:
        result = min(1.0, result + min(0.2, 0.1 * len(markers)))
    why = {"tables": len(tables), "matched_count": len(claimed_names), "matched": claimed_names[:SHOWN],
           "markers": markers[:SHOWN]}
    return (round(result, 4) if claimed_names else 0.0), why


def detect(source: ExportSource) -> list[tuple[str, float, str]]:
    """Every built-in profile with its score and reason, best first."""
    return [(name, value, describe(why)) for name, value, why in detect_fits(source)]


def detect_fits(source: ExportSource) -> list[tuple[str, float, dict[str, Any]]]:
    """Every built-in profile with its score and what :func:`fit` found, best first."""
    from portcheck.profiles.registry import list_profiles

    out = [(p.name, *fit(source, p)) for p in list_profiles()]
    order = {name: i for i, (name, _, _) in enumerate(out)}
    return sorted(out, key=lambda r: (-r[1], order[r[0]]))
