"""Starter mappings for exports whose column names say nothing (简道云 widget IDs), judged from sample values.

Header matching (``profiles infer``) cannot name ``_widget_1432728651402``. Its values can: one sample per
column — the first non-empty value of the table — is judged by its shape:

==========================================  ==============================================================
sample                                      proposal
==========================================  ==============================================================
``name@host.tld``                           email
``13811112222`` / ``+86 138…``              mobile (contact), else phone
``0571-88886666``, ``(603)-996-3829``       phone
``www.…``, ``https://…``                    website
18-character unified social credit code     tax_id
a company name (…有限公司, … Co., Ltd.)     customer: name; contact/opportunity: customer_id (by name)
the key of a record in the customer table   customer_id (contact/opportunity), by ID
a stage the profile's value map knows       stage
a date or an instant with an offset         opportunity: expected_close_date (read as a local day)
a number                                    opportunity: amount (probability when 0–100 and integral
                                            and amount is taken)
a 2–4 character Chinese name                contact: full_name
a job title (…经理, …总监, Manager …)        contact: title
an object {province, city, district,        region, city, address (detail); district kept as x_
detail} (an address widget)
an object {name, username, …} (a member)    owner (its name); the rest of the object ignored
the first other text                        opportunity: name
==========================================  ==============================================================

Columns the profile already maps (``_id``, ``createTime``, ``creator.name`` …) or ignores are left alone;
columns no rule fits are listed as comments, with their (masked) sample, for the user to assign. Each
proposal carries a confidence; nothing here is certain, which is why it is a starter file to be read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from portcheck.readers.interface import ExportSource, RawTable

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
CN_MOBILE = re.compile(r"^(?:\+?86[\s-]?)?1[3-9]\d{9}$")
PHONE = re.compile(r"^\+?[\d\s\-().]{7,20}$")
URL = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
USCC = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
COMPANY = re.compile(
    r"(?:有限公司|股份公司|集团|公司|工作室|事务所|研究院|厂|"
    r"\bCo\.|\bLtd\.?|\bInc\.?|\bGmbH\b|\bLLC\b|\bAG\b|\bS\.A\.)\s*$",
    re.IGNORECASE,
)
CJK_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")
TITLE = re.compile(
    r"(?:经理|总监|主管|总经理|董事长|总裁|工程师|专员|助理|主任|顾问|会计|Manager|Director|Engineer|"
    r"Officer|Head|Lead|CEO|CTO|CFO)\s*$",
    re.IGNORECASE,
)
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?$")
NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
OPAQUE = re.compile(r"^(?:[0-9a-fA-F]{16,}|[0-9a-fA-F-]{32,36}|\d{12,})$")  # an ID, not a name
ADDRESS_KEYS = {"province", "city", "district", "detail"}
MEMBER_KEYS = {"name", "username"}


@dataclass(frozen=True)
class Proposal:
    table: str  # raw table name
    object: str
    column: str
    field: str | None  # None: no proposal (the column stays a custom field)
    confidence: float
    sample: str | None
    reason: str


def propose(source: ExportSource, profile: str = "jiandaoyun") -> list[Proposal]:
    """A proposal for every column the profile does not map already, judged from one sample value."""
    from portcheck.profiles import get_profile
    from portcheck.profiles.engine import ColumnIndex, _control_columns, make_plan, match_fields
    from portcheck.profiles.transforms import prepare

    prof = get_profile(profile)
    src = prepare(source, prof)
    plan = make_plan(src, prof)
    objects: dict[int, str] = {}
    for i, raw in enumerate(src.tables):
        claims = plan.claims.get(i)
        obj = claims[0].object if claims else _object_from_name(raw)
        if obj is not None:
            objects[i] = obj
    # What other tables' records look like, for links: customer keys and names.
    parent_keys: set[str] = set()
    parent_names: set[str] = set()
    out: list[Proposal] = []
    order = sorted(objects, key=lambda i: ("customer", "contact", "opportunity").index(objects[i]))
    for i in order:
        raw, obj = src.tables[i], objects[i]
        spec = prof.objects[obj]
        cols = list(raw.table.column_names)
        known = {c for c, _ in match_fields(ColumnIndex(cols, prof.column_prefixes), spec.fields).values()}
        known |= _control_columns(raw, prof, spec, cols)
        props = _table(
            raw,
            obj,
            [c for c in cols if c not in known],
            parent_keys,
            parent_names,
            set(prof.objects[obj].value_maps.get("stage", {})),
        )
        out += props
        if obj == "customer":
            key_col = next(
                (
                    c
                    for c, _ in match_fields(
                        ColumnIndex(cols), {"k": spec.fields.get("customer_id", ())}
                    ).values()
                ),
                None,
            )
            if key_col is not None:
                parent_keys |= {str(v) for v in raw.table.column(key_col).to_pylist() if v}
            for p in props:
                if p.field == "name":
                    parent_names |= {str(v).strip() for v in raw.table.column(p.column).to_pylist() if v}
    return out


def _object_from_name(raw: RawTable) -> str | None:
    from portcheck.profiles.engine import basename, sheet_of
    from portcheck.profiles.infer import NAME_HINTS

    label = f"{basename(raw)} {sheet_of(raw) or ''}".casefold()
    for obj in ("contact", "opportunity", "customer"):  # 客户联系人 is a contact table
        if any(h in label for h in NAME_HINTS[obj]):
            return obj
    return None


def _first(raw: RawTable, column: str) -> str | None:
    import pyarrow.compute as pc

    from portcheck.profiles import convert

    arr = convert.as_string(raw.table.column(column))
    nonempty = arr.filter(pc.invert(convert.is_empty(arr)))
    return str(nonempty[0].as_py()).strip() if len(nonempty) else None


def _table(
    raw: RawTable,
    obj: str,
    columns: list[str],
    parent_keys: set[str],
    parent_names: set[str],
    stages: set[str],
    taken: set[str] | None = None,
) -> list[Proposal]:
    taken = set(taken or ())
    out: list[Proposal] = []

    def add(column: str, fname: str | None, conf: float, sample: str | None, reason: str) -> None:
        if fname is not None and fname in taken:
            fname, conf, reason = None, 0.0, f"{reason}, but that field is taken"
        if fname is not None:
            taken.add(fname)
        out.append(Proposal(raw.name, obj, column, fname, conf, sample, reason))

    # Objects flattened to dotted columns: address and member widgets.
    groups: dict[str, list[str]] = {}
    for c in columns:
        if "." in c:
            groups.setdefault(c.split(".", 1)[0], []).append(c)
    handled: set[str] = set()
    for root, members in groups.items():
        keys = {m.split(".", 1)[1] for m in members}
        if keys >= {"detail"} and keys & {"province", "city"}:
            for m in members:
                sub = m.split(".", 1)[1]
                fname = {"province": "region", "city": "city", "detail": "address"}.get(sub)
                if obj != "customer" and fname in ("region", "city"):
                    fname = None
                add(m, fname, 0.8 if fname else 0.0, _first(raw, m), f"address widget ({sub})")
            handled |= set(members)
        elif "username" in keys:
            name_col = f"{root}.name"
            if name_col in members:
                add(name_col, "owner", 0.7, _first(raw, name_col), "member widget (a user's name)")
            for m in members:
                if m != name_col:
                    out.append(
                        Proposal(raw.name, obj, m, None, 0.0, _first(raw, m), "member widget detail: ignore")
                    )
            handled |= set(members)
        else:
            for m in members:  # a part of some other object: not judged alone
                out.append(Proposal(raw.name, obj, m, None, 0.0, _first(raw, m), "part of an object"))
            handled |= set(members)
    numbers: list[tuple[str, str]] = []
    texts: list[tuple[str, str]] = []
    for c in columns:
        if c in handled:
            continue
        v = _first(raw, c)
        if v is None:
            add(c, None, 0.0, None, "no sample value")
        elif EMAIL.match(v):
            add(c, "email", 0.9, v, "an e-mail address")
        elif CN_MOBILE.match(re.sub(r"[\s-]", "", v)) and obj != "customer":
            add(c, "mobile", 0.85, v, "a mobile number")
        elif URL.match(v):
            add(c, "website", 0.85, v, "a web address")
        elif USCC.match(v):
            add(c, "tax_id", 0.85, v, "a unified social credit code")
        elif obj != "customer" and (v in parent_keys):
            add(c, "customer_id", 0.9, v, "the key of a customer record")
        elif DATE.match(v) and obj == "opportunity":
            add(c, "expected_close_date", 0.6, v, "a date")
        elif NUMBER.match(v) and not PHONE.match(v) or (NUMBER.match(v) and "." in v):
            numbers.append((c, v))
        elif PHONE.match(v) and sum(ch.isdigit() for ch in v) >= 7:
            add(c, "phone", 0.8, v, "a phone number")
        elif v in stages and obj == "opportunity":
            add(c, "stage", 0.85, v, "a sales stage the profile knows")
        elif COMPANY.search(v) or v in parent_names:
            fname = "name" if obj == "customer" else "customer_id"
            add(c, fname, 0.8, v, "a company name" + ("" if obj == "customer" else " (linked by name)"))
        elif obj == "contact" and TITLE.search(v):
            add(c, "title", 0.7, v, "a job title")
        elif obj == "contact" and CJK_NAME.match(v):
            add(c, "full_name", 0.75, v, "a person's name")
        else:
            texts.append((c, v))
    for c, v in numbers:
        n = float(v)
        if obj == "opportunity" and "amount" not in taken and (n > 100 or "." in v):
            add(c, "amount", 0.65, v, "a number (amount)")
        elif obj == "opportunity" and 0 <= n <= 100 and "probability" not in taken:
            add(c, "probability", 0.5, v, "a number from 0 to 100")
        elif obj == "opportunity" and "amount" not in taken:
            add(c, "amount", 0.5, v, "a number (amount)")
        else:
            add(c, None, 0.0, v, "a number")
    for c, v in texts:
        if obj == "opportunity" and "name" not in taken and not OPAQUE.match(v):
            add(c, "name", 0.5, v, "the first free text (the opportunity's name)")
        else:
            add(c, None, 0.0, v, "free text")
    return out


def sample_mapping(
    source: ExportSource, profile: str = "jiandaoyun", *, show_values: bool = False
) -> tuple[str, dict[str, float]]:
    """A starter mapping (YAML text, ``extends: PROFILE``) and a confidence per ``object.field``.

    Samples in the comments are masked (see :mod:`portcheck.masking`) unless ``show_values``.
    """
    import json

    from portcheck.masking import make_masker
    from portcheck.profiles.engine import basename

    mask = make_masker(show_values)
    proposals = propose(source, profile)
    by_obj: dict[str, list[Proposal]] = {}
    tables: dict[str, list[str]] = {}
    names = {t.name: t for t in source.tables}
    for p in proposals:
        by_obj.setdefault(p.object, []).append(p)
        raw = names.get(p.table)
        pattern = basename(raw) if raw is not None else p.table
        if raw is not None and raw.meta.get("pages"):
            pattern = p.table.split("#", 1)[0].rsplit("/", 1)[-1]
        tables.setdefault(p.object, [])
        if pattern not in tables[p.object]:
            tables[p.object].append(pattern)

    def q(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)

    lines = [
        f"# Starter mapping written from one sample value per column, extending the {profile} profile.",
        "# Check every line: proposals are judged from the shape of one value (confidence and sample in the",
        "# comment); columns without a proposal are listed at the end of each object — assign them, or",
        "# leave them: they are kept as custom fields (x_<name>).",
        "profile: 1",
        f"extends: {profile}",
    ]
    dates = sorted({p.column for p in proposals if p.field == "expected_close_date"})
    if dates:
        lines += [
            "transforms:",
            f"  - local_dates: {{columns: [{', '.join(q(c) for c in dates)}]}}"
            "   # instants of local midnight → their day",
        ]
    confidences: dict[str, float] = {}
    lines.append("objects:")
    for obj in ("customer", "contact", "opportunity"):
        props = by_obj.get(obj)
        if not props:
            continue
        lines += [f"  {obj}:", "    tables:"]
        lines += [f"      - files: [{q(t)}]" for t in tables[obj]]
        assigned = [p for p in props if p.field]
        if assigned:
            lines.append("    fields:")
            for p in assigned:
                confidences[f"{obj}.{p.field}"] = max(confidences.get(f"{obj}.{p.field}", 0.0), p.confidence)
                lines.append(
                    f"      {p.field}: [{q(p.column)}]   # {p.reason}, confidence {p.confidence:.2f}: "
                    f"{mask(p.sample) if p.sample is not None else '(empty)'}"
                )
        ignored = [p.column for p in props if p.reason == "member widget detail: ignore"]
        if ignored:
            lines.append(f"    ignore_columns: [{', '.join(q(c) for c in ignored)}]")
        free = [p for p in props if not p.field and p.reason != "member widget detail: ignore"]
        for p in free:
            sample = mask(p.sample) if p.sample is not None else "(empty)"
            lines.append(f"    # {q(p.column)}: no proposal ({p.reason}): {sample}")
    return "\n".join(lines) + "\n", confidences


def value_proposals(source: ExportSource, raw: RawTable, obj: str, proposed: dict) -> dict:
    """For ``profiles infer``: proposals, judged from sample values, for the columns headers did not name.

    ``proposed`` is infer's ``{column: Proposal}`` for ``raw``; returns more of the same (infer's
    ``Proposal`` type), never for a column or a field already proposed. Links are recognised by the values
    of the customer tables' proposed ``customer_id`` column, stages by every built-in profile's stage map.
    """
    from portcheck.profiles.infer import Proposal as InferProposal
    from portcheck.profiles.infer import _object_for, synonyms
    from portcheck.profiles.registry import list_profiles

    syn = synonyms()
    parent_keys: set[str] = set()
    parent_names: set[str] = set()
    if obj != "customer":
        for t in source.tables:
            if t is raw:
                continue
            o, props = _object_for(t, syn)
            if o != "customer":
                continue
            for col, p in props.items():
                values = {str(v).strip() for v in t.table.column(col).to_pylist() if v}
                if p.field == "customer_id":
                    parent_keys |= values
                elif p.field == "name":
                    parent_names |= values
    stages = {
        k
        for p in list_profiles()
        for k in (p.objects[obj].value_maps.get("stage", {}) if obj in p.objects else {})
    }
    columns = [c for c in raw.table.column_names if c not in proposed]
    taken = {p.field for p in proposed.values()}
    out = {}
    for p in _table(raw, obj, columns, parent_keys, parent_names, stages, taken):
        if p.field is not None:
            out[p.column] = InferProposal(p.field, round(p.confidence, 2))
    return out
