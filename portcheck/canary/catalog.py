"""The traps a canary carries, and which cells carry each one, detected from the finished values.

A *trap* is a kind of value exports are known to break (a leading-zero phone, a 4,000-character note, an
``=`` at the start of a cell). Each trap is reported per object and field
(``contact.phone.leading_zero_phone``)
with the canary IDs and primary keys of the records whose cell carries it. Text traps are exclusive per cell:
a note is either one of the long lengths or one of the short special notes, so a loss in that cell is
attributed to one text trap only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from portcheck.canary.dataset import CANARY_ID_FIELD, DST_EDGES, LONG_LENGTHS, PRIMARY_KEYS, CanaryData

_PHONE_FIELDS = frozenset({"phone", "mobile"})
_INSTANT_FIELDS = frozenset({"created_at", "updated_at"})
_DATE_FIELDS = frozenset({"expected_close_date", "x_founded_on", "x_birthday"})
_PICKLISTS = frozenset({"industry", "level", "status", "source"})
_KEYS = frozenset({"customer_id", "contact_id", "opportunity_id", CANARY_ID_FIELD})
_DST = frozenset(text for text, _ in DST_EDGES)
_CJK = re.compile(r"[\u3400-\u9fff\U00020000-\U0003134f]")
_LATIN = re.compile(r"[A-Za-z]")
_SHORT = 256


def _is_emoji(c: str) -> bool:
    return 0x1F000 <= ord(c) <= 0x1FAFF


def _has_emoji(v: str) -> bool:
    return any(_is_emoji(c) for c in v)


def _has_astral_cjk(v: str) -> bool:
    return any(ord(c) > 0xFFFF and not _is_emoji(c) for c in v)


def _decimal(v: str) -> Decimal | None:
    try:
        return Decimal(v)
    except InvalidOperation:
        return None


def _short(v: str) -> bool:
    return len(v) < _SHORT


def _formula(v: str) -> bool:
    return v[:1] in ("=", "+", "-", "@")


@dataclass(frozen=True)
class TrapKind:
    trap: str
    label: str
    label_zh: str
    test: Callable[[str, str], bool]  # (field, value) -> carries the trap
    fields: frozenset[str] | None = None  # None: any field but the keys
    empty_ok: bool = False  # the trap is about an empty value


def _long(n: int) -> TrapKind:
    return TrapKind(f"text_{n}", f"Text of {n:,} characters", f"{n} 字符长文本", lambda f, v: len(v) == n)


TRAP_KINDS: tuple[TrapKind, ...] = (
    TrapKind(
        "leading_zero_phone",
        "Phone numbers with leading zeros",
        "以 0 开头的电话号码",
        lambda f, v: re.match(r"\(?0\d", v) is not None,
        _PHONE_FIELDS,
    ),
    TrapKind(
        "international_phone",
        "Phone numbers in +country-code form",
        "带 + 国家码的电话号码",
        lambda f, v: v.startswith("+"),
        _PHONE_FIELDS,
    ),
    TrapKind(
        "leading_zero_postal_code",
        "Postal codes with leading zeros",
        "以 0 开头的邮政编码",
        lambda f, v: v.startswith("0"),
        frozenset({"postal_code"}),
    ),
    TrapKind(
        "long_digit_code",
        "16–19-digit numeric-looking codes",
        "16–19 位纯数字编码",
        lambda f, v: re.fullmatch(r"\d{16,19}", v) is not None and f != "tax_id",
    ),
    TrapKind(
        "numeric_uscc",
        "All-digit Unified Social Credit Codes",
        "纯数字统一社会信用代码",
        lambda f, v: re.fullmatch(r"\d{18}", v) is not None,
        frozenset({"tax_id"}),
    ),
    *(_long(n) for n in LONG_LENGTHS),
    TrapKind(
        "line_breaks",
        "Line breaks (LF) inside a value",
        "值内换行（LF）",
        lambda f, v: _short(v) and "\n" in v and "\r" not in v,
    ),
    TrapKind(
        "carriage_returns",
        "Carriage returns (CR LF) inside a value",
        "值内回车换行（CR LF）",
        lambda f, v: _short(v) and "\r" in v,
    ),
    TrapKind(
        "quotes_and_commas",
        "Double quotes and commas inside a value",
        "值内双引号与逗号",
        lambda f, v: _short(v) and '"' in v and not _formula(v),
    ),
    TrapKind("tabs", "Tabs inside a value", "值内制表符", lambda f, v: _short(v) and "\t" in v),
    TrapKind(
        "emoji", "Emoji (outside the BMP)", "表情符号（BMP 以外）", lambda f, v: _short(v) and _has_emoji(v)
    ),
    TrapKind(
        "non_bmp_characters",
        "CJK characters outside the BMP (𠀀)",
        "BMP 以外的生僻汉字（𠀀）",
        lambda f, v: _short(v) and _has_astral_cjk(v),
    ),
    TrapKind(
        "formula_prefix",
        "Values starting with =, +, - or @",
        "以 =、+、-、@ 开头的值",
        lambda f, v: _formula(v) and f not in _PHONE_FIELDS,
    ),
    TrapKind(
        "email_plus_tag",
        "E-mail addresses with +tags",
        "带 +标签 的电子邮箱",
        lambda f, v: "+" in v.partition("@")[0],
        frozenset({"email"}),
    ),
    TrapKind(
        "mixed_script_name",
        "Names mixing Chinese and Latin script",
        "中英文混写的名称",
        lambda f, v: bool(_CJK.search(v)) and bool(_LATIN.search(v)),
        frozenset({"name", "full_name"}),
    ),
    TrapKind(
        "decomposed_unicode",
        "Text in decomposed Unicode (NFD)",
        "分解形式的 Unicode 文本（NFD）",
        lambda f, v: not unicodedata.is_normalized("NFC", v),
    ),
    TrapKind(
        "surrounding_spaces",
        "Values with trailing spaces",
        "带尾随空格的值",
        lambda f, v: v != v.strip() and v.strip() != "",
    ),
    TrapKind("empty_field", "Empty but present fields", "存在但为空的字段", lambda f, v: v == "", None, True),
    TrapKind(
        "bilingual_picklist",
        "Picklist values in Chinese and English",
        "中英文下拉选项值",
        lambda f, v: True,
        _PICKLISTS,
    ),
    TrapKind(
        "canonical_stage",
        "Opportunity stages (7 canonical values)",
        "商机阶段（7 个标准值）",
        lambda f, v: True,
        frozenset({"stage"}),
    ),
    TrapKind(
        "amount_with_cents",
        "Amounts with cents",
        "带分的金额",
        lambda f, v: (d := _decimal(v)) is not None and d != d.to_integral_value() and d < 10**12,
        frozenset({"amount"}),
    ),
    TrapKind(
        "amount_over_1e12",
        "Amounts of 10¹² and above",
        "万亿以上的金额",
        lambda f, v: (d := _decimal(v)) is not None and d >= 10**12,
        frozenset({"amount"}),
    ),
    TrapKind(
        "non_utc_offset",
        "Date-times with a non-UTC offset",
        "非 UTC 时区的日期时间",
        lambda f, v: v not in _DST and v[:4] >= "1970" and not v.endswith(("Z", "+00:00")),
        _INSTANT_FIELDS,
    ),
    TrapKind(
        "dst_edge",
        "Date-times at daylight-saving edges",
        "夏令时切换边缘的日期时间",
        lambda f, v: v in _DST,
        _INSTANT_FIELDS,
    ),
    TrapKind(
        "before_1970",
        "Dates and date-times before 1970",
        "1970 年以前的日期",
        lambda f, v: v[:4] < "1970",
        _INSTANT_FIELDS | _DATE_FIELDS,
    ),
)
TRAP_LABELS: dict[str, tuple[str, str]] = {k.trap: (k.label, k.label_zh) for k in TRAP_KINDS}


def detect_traps(data: CanaryData) -> list[dict]:
    """Every (trap, object, field) the data carries, with the records carrying it, in a stable order."""
    out: list[dict] = []
    for obj, rows in data.rows.items():
        pk = PRIMARY_KEYS[obj]
        columns = [c for c in data.columns[obj] if c not in _KEYS]
        for kind in TRAP_KINDS:
            for column in columns:
                if kind.fields is not None and column not in kind.fields:
                    continue
                canary_ids, keys = [], []
                for row in rows:
                    value = row.get(column) or ""
                    if (value or kind.empty_ok) and kind.test(column, value):
                        canary_ids.append(row[CANARY_ID_FIELD])
                        keys.append(row[pk])
                if canary_ids:
                    out.append(
                        {
                            "id": f"{obj}.{column}.{kind.trap}",
                            "trap": kind.trap,
                            "label": kind.label,
                            "label_zh": kind.label_zh,
                            "object": obj,
                            "field": column,
                            "count": len(canary_ids),
                            "records": canary_ids,
                            "keys": keys,
                        }
                    )
    return out
