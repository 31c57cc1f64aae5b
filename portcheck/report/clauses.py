"""Contract clauses: the wording of a contract term and the checks that are its evidence.

A clause file (YAML, safe-parsed; the default template is ``clauses/default.yaml`` beside this module) lists
clauses with their English and Chinese wording and the check IDs (or ``*`` patterns over check IDs) that
decide them. :func:`evaluate_clauses` gives report.json's ``clauses`` entries:

- ``not_met`` when any evidence check has status ``fail``;
- else ``not_assessed`` when any evidence check is ``not_assessed`` or absent (a pattern that matches no
  check counts as absent);
- else ``met``. A ``warn`` (a non-gating check the policy made informational) does not break a clause.

Some evidence is not a check of the data but of the hand-over itself; :func:`contract_checks` computes these
``handover.*`` checks (never gating, so they never change the verdict):

- ``handover.formats``: every table read as an object came in one of the clause's ``formats``;
- ``handover.objects``: customers, contacts and opportunities were all delivered;
- ``handover.inventory``: no table was left unread (an unread table makes "all data" ``not_assessed``);
- ``handover.deadline``: delivered within the clause's ``days`` of the request (``not_assessed`` without one).
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from portcheck.errors import PortcheckError

DEFAULT_CLAUSES = Path(__file__).with_name("clauses") / "default.yaml"
OBJECTS = ("customer", "contact", "opportunity")
DEFAULT_FORMATS = ("csv", "tsv", "txt", "xlsx", "xlsm", "xls")
# extensions that name a data format (a ZIP is a container: its members are judged, not the ZIP)
_DATA_EXTS = {
    "csv",
    "tsv",
    "txt",
    "xlsx",
    "xlsm",
    "xls",
    "xlsb",
    "ods",
    "json",
    "jsonl",
    "ndjson",
    "xml",
    "parquet",
    "sql",
    "db",
    "sqlite",
    "mdb",
    "accdb",
    "dbf",
    "pdf",
    "bak",
}
_CLAUSE_KEYS = {"id", "text", "text_zh", "evidence", "days", "formats"}
HANDOVER = ("handover.formats", "handover.objects", "handover.inventory", "handover.deadline")


class ClauseError(PortcheckError):
    """A clause file is malformed (exit code 2)."""


@dataclass(frozen=True)
class Clause:
    id: str
    text: str
    text_zh: str
    evidence: tuple[str, ...]
    days: int | None = None  # for handover.deadline
    formats: tuple[str, ...] = field(default=DEFAULT_FORMATS)  # for handover.formats


def load_clauses(path: str | Path | None = None) -> list[Clause]:
    """Read a clause file (the default template when ``path`` is None).

    Raises ClauseError naming the file and the problem.
    """
    import yaml

    source = Path(path) if path is not None else DEFAULT_CLAUSES
    name = str(source)
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ClauseError(
            f"clause file {name} does not exist",
            hint="give the path of a YAML clause file, or leave out --clauses",
        ) from None
    except UnicodeDecodeError:
        raise ClauseError(
            f"clause file {name} is not UTF-8 text", hint="save the clause file as UTF-8"
        ) from None
    except OSError as err:
        raise ClauseError(
            f"clause file {name} cannot be read ({err.strerror})", hint="check the path and its permissions"
        ) from err
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ClauseError(
            f"clause file {name} is not valid YAML{where}",
            hint="compare it with the default template (portcheck/report/clauses/default.yaml)",
        ) from err
    return parse_clauses(data, name)


def parse_clauses(data: Any, source: str) -> list[Clause]:
    """Build clauses from a parsed clause file (a mapping with ``clauses``, or a bare list)."""
    hint = "each clause needs id, text, text_zh and a list of evidence check IDs; see the default template"
    if isinstance(data, dict):
        unknown = set(data) - {"version", "clauses"}
        if unknown:
            raise ClauseError(
                f"clause file {source} has unknown setting(s): {', '.join(sorted(map(str, unknown)))}",
                hint="the file has 'version' and 'clauses'",
            )
        if data.get("version", 1) != 1:
            raise ClauseError(
                f"clause file {source} has version {data.get('version')!r}; this portcheck reads 1",
                hint="write 'version: 1'",
            )
        data = data.get("clauses")
    if not isinstance(data, list) or not data:
        raise ClauseError(f"clause file {source} lists no clauses", hint=hint)
    clauses: list[Clause] = []
    seen: set[str] = set()
    for i, item in enumerate(data, 1):
        where = f"clause file {source}, clause {i}"
        if not isinstance(item, dict):
            raise ClauseError(f"{where} is not a mapping", hint=hint)
        unknown = set(item) - _CLAUSE_KEYS
        if unknown:
            raise ClauseError(
                f"{where} has unknown key(s): {', '.join(sorted(map(str, unknown)))}",
                hint=f"known keys: {', '.join(sorted(_CLAUSE_KEYS))}",
            )
        cid = item.get("id")
        if not isinstance(cid, str) or not cid.strip():
            raise ClauseError(f"{where} has no id", hint=hint)
        if cid in seen:
            raise ClauseError(
                f"clause file {source} uses the id '{cid}' twice", hint="give each clause its own id"
            )
        seen.add(cid)
        where = f"clause file {source}, clause '{cid}'"
        text = item.get("text")
        text_zh = item.get("text_zh", text)
        if not isinstance(text, str) or not text.strip():
            raise ClauseError(f"{where} has no text", hint=hint)
        if not isinstance(text_zh, str) or not text_zh.strip():
            raise ClauseError(f"{where} has an empty text_zh", hint=hint)
        evidence = item.get("evidence")
        if (
            not isinstance(evidence, list)
            or not evidence
            or not all(isinstance(e, str) and e.strip() for e in evidence)
        ):
            raise ClauseError(f"{where} needs 'evidence': a list of check IDs", hint=hint)
        days = item.get("days")
        if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 0):
            raise ClauseError(f"{where}: 'days' must be a whole number of days", hint="for example: days: 15")
        formats = item.get("formats", list(DEFAULT_FORMATS))
        if not isinstance(formats, list) or not formats or not all(isinstance(f, str) for f in formats):
            raise ClauseError(
                f"{where}: 'formats' must be a list of file extensions",
                hint="for example: formats: [csv, xlsx, xls]",
            )
        clauses.append(
            Clause(
                id=cid.strip(),
                text=" ".join(text.split()),
                text_zh=text_zh.strip(),
                evidence=tuple(e.strip() for e in evidence),
                days=days,
                formats=tuple(f.lower().lstrip(".") for f in formats),
            )
        )
    return clauses


# ---- the hand-over checks ----------------------------------------------------------------------------------


def _check(cid: str, status: str, observed: Any, threshold: Any, message: str, message_zh: str) -> dict:
    return {
        "id": cid,
        "status": status,
        "gating": False,
        "observed": observed,
        "threshold": threshold,
        "message": message,
        "message_zh": message_zh,
    }


def table_format(name: str) -> str | None:
    """The data format a table or file name shows (``export/a.zip/Account.csv`` → ``csv``), or None."""
    exts = [m.lower() for m in re.findall(r"\.([A-Za-z0-9]{1,8})(?=$|[#:/!\[\]\\ ])", name)]
    known = [e for e in exts if e in _DATA_EXTS]
    return known[-1] if known else None


def _formats_check(report: dict, formats: tuple[str, ...]) -> dict:
    inventory = report.get("inventory") or []
    names = [str(e.get("name", "")) for e in inventory if isinstance(e, dict) and e.get("mapped_to")]
    if not names:  # no inventory: judge the export files themselves
        names = [
            str(i.get("name", ""))
            for i in report.get("inputs") or []
            if isinstance(i, dict) and i.get("role") == "export"
        ]
    if not names:
        return _check(
            "handover.formats",
            "not_assessed",
            None,
            None,
            "no table was read from the export",
            "未从导出中读取任何数据表",
        )
    seen = [table_format(n) for n in names]
    accepted = sum(1 for f in seen if f in formats)
    found = ", ".join(sorted({f or "?" for f in seen}))
    allowed = ", ".join(formats)
    observed = round(accepted / len(seen), 5)
    if any(f is not None and f not in formats for f in seen):
        return _check(
            "handover.formats",
            "fail",
            observed,
            1.0,
            f"formats read: {found}; the contract's formats: {allowed}",
            f"读取到的格式：{found}；合同约定的格式：{allowed}",
        )
    if any(f is None for f in seen):
        return _check(
            "handover.formats",
            "not_assessed",
            observed,
            1.0,
            f"the format of some tables cannot be told from their names (formats read: {found})",
            f"部分数据表无法从名称判断格式（读取到的格式：{found}）",
        )
    return _check(
        "handover.formats", "pass", observed, 1.0, f"formats read: {found}", f"读取到的格式：{found}"
    )


def _objects_check(report: dict) -> dict:
    objects = report.get("objects") or {}
    mapped = {e.get("mapped_to") for e in report.get("inventory") or [] if isinstance(e, dict)}
    present = [
        o for o in OBJECTS if o in mapped or ((objects.get(o) or {}).get("records") or {}).get("export", 0)
    ]
    absent = [o for o in OBJECTS if o not in present]
    if absent:
        return _check(
            "handover.objects",
            "fail",
            len(present),
            len(OBJECTS),
            f"not delivered: {', '.join(absent)}",
            f"未交付：{', '.join(absent)}",
        )
    return _check(
        "handover.objects",
        "pass",
        len(present),
        len(OBJECTS),
        "customers, contacts and opportunities delivered",
        "客户、联系人和商机均已交付",
    )


def _inventory_check(report: dict) -> dict:
    inventory = report.get("inventory")
    if inventory is None:
        return _check(
            "handover.inventory",
            "not_assessed",
            None,
            0,
            "the report lists no inventory of tables",
            "报告未列出数据表清单",
        )
    unread = [str(e.get("name")) for e in inventory if isinstance(e, dict) and not e.get("mapped_to")]
    if unread:
        shown = ", ".join(unread[:5]) + (" …" if len(unread) > 5 else "")
        return _check(
            "handover.inventory",
            "not_assessed",
            len(unread),
            0,
            f"{len(unread)} table(s) not read, so 'all data' cannot be confirmed: {shown}",
            f"有 {len(unread)} 个数据表未读取，无法确认已交付全部数据：{shown}",
        )
    return _check(
        "handover.inventory", "pass", 0, 0, "every table in the export was read", "导出中的所有数据表均已读取"
    )


def _as_date(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
        except ValueError:
            return None
    return None


def _deadline_check(days: int | None, requested_at: Any, delivered_at: Any) -> dict:
    req, dlv = _as_date(requested_at), _as_date(delivered_at)
    if days is None:
        return _check(
            "handover.deadline",
            "not_assessed",
            None,
            None,
            "the clause names no number of days",
            "条款未约定天数",
        )
    if req is None:
        return _check(
            "handover.deadline",
            "not_assessed",
            None,
            days,
            "no request date was given (--requested-at)",
            "未提供导出申请日期（--requested-at）",
        )
    if dlv is None:
        return _check(
            "handover.deadline", "not_assessed", None, days, "the delivery time is unknown", "交付时间未知"
        )
    elapsed = (dlv - req).days
    status = "pass" if elapsed <= days else "fail"
    return _check(
        "handover.deadline",
        status,
        elapsed,
        days,
        f"requested {req.isoformat()}, delivered {dlv.isoformat()}: {elapsed} days (at most {days})",
        f"{req.isoformat()} 申请，{dlv.isoformat()} 交付：{elapsed} 天（不超过 {days} 天）",
    )


def contract_checks(
    report: dict,
    clauses: list[Clause],
    *,
    requested_at: date | None = None,
    delivered_at: datetime | None = None,
) -> list[dict]:
    """The ``handover.*`` checks the clauses name, as report.json ``checks`` entries (never gating).

    ``requested_at``/``delivered_at`` default to the report's own ``requested_at``/``delivered_at``.
    """
    requested_at = requested_at if requested_at is not None else report.get("requested_at")
    delivered_at = delivered_at if delivered_at is not None else report.get("delivered_at")
    wanted = {h for c in clauses for e in c.evidence for h in HANDOVER if fnmatch.fnmatchcase(h, e)}
    out: list[dict] = []
    if "handover.formats" in wanted:
        fmts = next((c.formats for c in clauses if "handover.formats" in c.evidence), DEFAULT_FORMATS)
        out.append(_formats_check(report, fmts))
    if "handover.objects" in wanted:
        out.append(_objects_check(report))
    if "handover.inventory" in wanted:
        out.append(_inventory_check(report))
    if "handover.deadline" in wanted:
        days = next(
            (c.days for c in clauses if "handover.deadline" in c.evidence and c.days is not None), None
        )
        out.append(_deadline_check(days, requested_at, delivered_at))
    return out


def evaluate_clauses(
    report: dict,
    clauses: list[Clause],
    *,
    requested_at: date | None = None,
    delivered_at: datetime | None = None,
) -> list[dict]:
    """report.json's ``clauses`` entries: ``{"id","text","text_zh","status","evidence"}`` per clause.

    Evidence is resolved against ``report["checks"]`` plus the ``handover.*`` checks (computed here when the
    report does not carry them yet); ``evidence`` lists the check IDs that decided the clause, in report
    order, and any named ID or pattern that matched no check.
    """
    checks = [c for c in report.get("checks") or [] if isinstance(c, dict) and "id" in c]
    have = {c["id"] for c in checks}
    checks += [
        c
        for c in contract_checks(report, clauses, requested_at=requested_at, delivered_at=delivered_at)
        if c["id"] not in have
    ]
    by_id = {c["id"]: c for c in checks}
    out = []
    for clause in clauses:
        evidence: list[str] = []
        statuses: list[str] = []
        for pattern in clause.evidence:
            if any(ch in pattern for ch in "*?["):
                ids = [c["id"] for c in checks if fnmatch.fnmatchcase(c["id"], pattern)]
                # A pattern stands for the checks it matches that could be assessed: a field with nothing to
                # compare (empty on both sides) does not leave "accuracy ≥ 99%" unassessed.
                assessed = [cid for cid in ids if by_id[cid].get("status") != "not_assessed"]
                ids = assessed or ids
            else:
                ids = [pattern] if pattern in by_id else []
            if not ids:
                evidence.append(pattern)
                statuses.append("absent")
                continue
            for cid in ids:
                if cid not in evidence:
                    evidence.append(cid)
                    statuses.append(str(by_id[cid].get("status")))
        if "fail" in statuses:
            status = "not_met"
        elif any(s not in ("pass", "warn") for s in statuses):
            status = "not_assessed"
        else:
            status = "met"
        out.append(
            {
                "id": clause.id,
                "text": clause.text,
                "text_zh": clause.text_zh,
                "status": status,
                "evidence": evidence,
            }
        )
    return out
