"""``profiles infer``: a starter mapping file for an export no built-in profile fits (or fits badly).

Each raw table is given the object whose synonyms its headers match best (ties broken by the file or sheet
name: customer/account/company/客户 …), and each column the canonical field it names:

- confidence 1.0 − 0.01 × rank for a header equal to a field name or one of its spellings in any built-in
  profile (English API names and labels, Chinese labels), matched ignoring case, spaces, ``_`` and ``*``;
- ``0.8 × similarity`` for a close spelling (rapidfuzz ratio ≥ 85), e.g. ``E-mail Address`` → ``email``;
- no proposal otherwise: the column stays a custom field (``x_<name>``).

A field takes at most one column per table (the most confident). The file is meant to be read and corrected:
every proposal carries its confidence as a comment.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

from portcheck.profiles.engine import basename, norm_col, sheet_of
from portcheck.schema import OBJECTS, load_schema

if TYPE_CHECKING:  # pragma: no cover
    from portcheck.readers.interface import ExportSource, RawTable

# Words in file or sheet names that say which object a table holds.
NAME_HINTS = {
    "customer": ("customer", "account", "compan", "client", "客户", "公司", "企业"),
    "contact": ("contact", "people", "person", "联系人"),
    "opportunity": ("opportunit", "deal", "business", "potential", "商机", "机会", "交易"),
}
# Synonyms no profile carries but users' own exports do.
EXTRA = {
    "customer": {"customer_id": ["客户编码", "客户代码", "编号", "Customer ID", "Customer No"],
                 "name": ["公司名称", "公司全称", "企业名称", "Company", "Customer Name", "Customer"],
                 "tax_id": ["税号", "纳税人识别号", "统一社会信用代码", "VAT", "Tax ID", "VAT Number"],
                 "postal_code": ["邮编", "邮政编码", "ZIP", "Postcode"], "country": ["国家"],
                 "city": ["城市"], "region": ["省份", "省"], "phone": ["联系电话", "Telephone"],
                 "owner": ["所属销售", "销售员", "Owner"], "created_at": ["创建日期", "Created"],
                 "updated_at": ["最后修改时间", "Updated"], "status": ["状态"]},
    "contact": {"contact_id": ["联系人编码", "Contact No"], "full_name": ["联系人", "Contact Name", "Name"],
                "first_name": ["名字"], "last_name": ["姓氏"], "title": ["职位", "Job Title", "Position"],
                "mobile": ["手机号", "手机号码", "Mobile Phone"], "email": ["电子邮箱", "E-mail"],
                "is_primary": ["主联系人", "Primary", "Is Primary", "Primary Contact"]},
    "opportunity": {"name": ["机会名称", "项目名称", "Opportunity"], "stage": ["销售阶段", "阶段", "Stage"],
                    "amount": ["金额", "预计金额", "Value"], "currency": ["币种", "货币"],
                    "probability": ["赢率", "成交概率", "Win Rate"],
                    "expected_close_date": ["预计成交日期", "预计签单日期", "Expected Close Date"]},
}


def synonyms() -> dict[str, dict[str, list[str]]]:
    """object → field → spellings: canonical names, every built-in profile's spellings, then extras."""
    from portcheck.profiles.registry import list_profiles

    schema = load_schema()
    out: dict[str, dict[str, list[str]]] = {o: {f: [f] for f in schema[o].field_names} for o in OBJECTS}
    for profile in list_profiles():
        for obj, spec in profile.objects.items():
            for fname, spellings in spec.fields.items():
                if fname.startswith("x_"):
                    continue
                for sp in spellings:
                    if sp.startswith("attributes."):
                        continue
                    if sp not in out[obj][fname]:
                        out[obj][fname].append(sp)
    for obj, fields in EXTRA.items():
        for fname, spellings in fields.items():
            out[obj][fname] += [s for s in spellings if s not in out[obj][fname]]
    return out


def _strip_prefix(column: str) -> str:
    col = re.sub(r"^(properties|fields|data)\.", "", column)
    return col


PICK_RE = re.compile(r"^(.+)(\[\d+\]\.[^.\[\]]+)$")


class Proposal(NamedTuple):
    field: str
    confidence: float
    pick: str = ""  # '[0].id' when the column holds a JSON list of linked records


def propose(columns: list[str], fields: dict[str, list[str]]) -> dict[str, Proposal]:
    """column → (field, confidence) for one object; each field used once, by its most confident column.

    A column holding a JSON list of linked records (``associations.companies.results``) is proposed with
    its pick (``associations.companies.results[0].id``) when a profile spells it that way.
    """
    from rapidfuzz import fuzz

    index: dict[str, tuple[str, float, int, str]] = {}  # spelling key -> (field, confidence, rank, pick)
    for fname, spellings in fields.items():
        for rank, sp in enumerate(spellings):
            pick = PICK_RE.match(sp)
            base, suffix = (pick.group(1), pick.group(2)) if pick else (sp, "")
            key = norm_col(base)
            conf = 1.0 if key == norm_col(fname) else 0.95
            if key not in index or (index[key][1], -index[key][2]) < (conf, -rank):
                index[key] = (fname, conf, rank, suffix)
    candidates: list[tuple[float, int, str, str, str]] = []
    for col in columns:
        key = norm_col(_strip_prefix(col))
        hit = index.get(key) or index.get(norm_col(col))
        if hit is not None:
            fname, conf, rank, suffix = hit
            candidates.append((conf, rank, col, fname, suffix))
            continue
        best: tuple[float, str] | None = None
        for sp_key, (fname, _, _, suffix) in index.items():
            if len(sp_key) < 3 or suffix:
                continue
            score = fuzz.ratio(key, sp_key)
            if score >= 85 and (best is None or score > best[0]):
                best = (score, fname)
        if best is not None:
            candidates.append((round(0.8 * best[0] / 100, 2), 99, col, best[1], ""))
    out: dict[str, Proposal] = {}
    taken: set[str] = set()
    for conf, _, col, fname, suffix in sorted(candidates, key=lambda c: (-c[0], c[1])):
        if fname in taken or col in out:
            continue
        out[col] = Proposal(fname, conf, suffix)
        taken.add(fname)
    return out


def _object_for(raw: RawTable, syn: dict[str, dict[str, list[str]]]) -> tuple[str | None, dict]:
    best: tuple[float, str, dict] | None = None
    label = f"{basename(raw)} {sheet_of(raw) or ''}".casefold()
    cols = list(raw.table.column_names)
    if not cols:
        return None, {}
    for obj in OBJECTS:
        proposal = propose(cols, syn[obj])
        hinted = any(h in label for h in NAME_HINTS[obj])
        score = sum(p.confidence for p in proposal.values())
        if not (hinted and proposal) and (len(proposal) < 2 or len(proposal) / len(cols) < 0.4):
            continue
        score += 1.5 if hinted else 0.0
        if best is None or score > best[0]:
            best = (score, obj, proposal)
    if best is None:
        return None, {}
    return best[1], best[2]


def _q(text: str) -> str:
    """A YAML scalar, quoted when needed."""
    import json

    if re.fullmatch(r"[\w\u00c0-\uffff][\w\u00c0-\uffff .()/%-]*", text) and not text.endswith((" ", ":")) \
            and text.lower() not in ("true", "false", "null", "yes", "no", "on", "off", "~"):
        return text
    return json.dumps(text, ensure_ascii=False)


def infer(source: ExportSource) -> tuple[str, dict[str, float]]:
    """The starter mapping as YAML text, and ``{"object.field": confidence}`` for every proposal."""
    from portcheck.profiles.detection import detect

    schema = load_schema()
    syn = synonyms()
    per_object: dict[str, list[tuple[RawTable, dict]]] = {o: [] for o in OBJECTS}
    unclaimed: list[str] = []
    for raw in source.tables:
        if basename(raw).casefold() == "canary.json":
            continue
        obj, proposal = _object_for(raw, syn)
        if obj is None:
            unclaimed.append(raw.name)
        else:
            # Columns no header names (简道云 widget IDs …): judged from one sample value each.
            from portcheck.profiles.samples import value_proposals

            proposal = {**proposal, **value_proposals(source, raw, obj, proposal)}
            per_object[obj].append((raw, proposal))
    ranked = detect(source)
    confidences: dict[str, float] = {}
    lines = [f"# Starter mapping written by `portcheck profiles infer` for {source.root}.",
             "# Check every proposal (confidence in the comment), then run:",
             "#   portcheck check EXPORT --mapping THIS_FILE",
             "# Columns without a proposal are kept as custom fields (x_<name>)."]
    if ranked and ranked[0][1] > 0:
        lines.append(f"# Closest built-in profile: {ranked[0][0]} (score {ranked[0][1]:.2f}); "
                     f"`extends: {ranked[0][0]}` would inherit its value maps.")
    if unclaimed:
        lines.append(f"# Tables left out (no object recognised): {', '.join(unclaimed)}")
    lines += ["profile: 1", "name: inferred", "timezone: UTC", "objects:"]
    for obj in OBJECTS:
        entries = per_object[obj]
        if not entries:
            continue
        lines.append(f"  {obj}:")
        lines.append("    tables:")
        for raw, _ in entries:
            siblings = sum(1 for t in source.tables if t.source.name == raw.source.name)
            pattern = raw.name.split("#", 1)[0].rsplit("/", 1)[-1] if raw.meta.get("pages") else basename(raw)
            rule = f"sheets: [{_q(sheet_of(raw))}]" if sheet_of(raw) and siblings > 1 \
                else f"files: [{_q(pattern)}]"
            lines.append(f"      - {rule}")
        lines.append("    fields:")
        fields: dict[str, tuple[list[str], float]] = {}
        for _, proposal in entries:
            for col, (fname, conf, pick) in proposal.items():
                col = col + pick
                cols, best = fields.get(fname, ([], 0.0))
                if col not in cols:
                    cols.append(col)
                fields[fname] = (cols, max(best, conf))
        for fname in schema[obj].field_names:
            if fname not in fields:
                continue
            cols, conf = fields[fname]
            confidences[f"{obj}.{fname}"] = conf
            note = "" if conf >= 0.9 else "  check"
            lines.append(f"      {fname}: [{', '.join(_q(c) for c in cols)}]   # confidence {conf:.2f}{note}")
        pk = schema[obj].primary_key
        if pk not in fields:
            if obj == "customer" and "name" in fields:
                lines.append("    key: {from: name}   # no ID column: the name is the key")
            else:
                lines.append(f'    key: {{template: "{obj}-{{n}}"}}   # no ID column: numbered in file order')
        fks = [fk for fk in schema[obj].foreign_keys if fk in fields]
        if fks:
            lines.append("    links:")
            for fk in fks:
                lines.append(f"      {fk}: {{by: [id, name]}}   # by ID, else by the parent's name")
    return "\n".join(lines) + "\n", confidences


def proposals_by_column(source: ExportSource) -> dict[str, dict[str, str | None]]:
    """table name → column → proposed ``object.field`` (None: custom field)."""
    syn = synonyms()
    out: dict[str, dict[str, str | None]] = {}
    for raw in source.tables:
        obj, proposal = _object_for(raw, syn)
        out[raw.name] = {c: (f"{obj}.{proposal[c].field}" if obj and c in proposal else None)
                         for c in raw.table.column_names}
    return out
