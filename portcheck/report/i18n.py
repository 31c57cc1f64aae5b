"""Every user-facing string of report.html, the terminal summary and `portcheck diff`, in English and Chinese.

Strings are looked up by key with :func:`t`; placeholders use ``str.format`` names, and both languages of
a key must use the same placeholders (a test holds them to it). Labels for canonical objects, fields,
stages, defect kinds and check statuses live here too, so a renderer never spells a word itself.

Number formatting is here as well because it is part of what a reader sees: integers with thousands
separators, and rates as percentages with 3 decimals (report.json's 5-decimal rates), and more where needed so
that a rate below a threshold never prints equal to it (98.9996% shows as 98.9996%, not 99.000%).
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

from portcheck.errors import UsageError

LANGS = ("en", "zh")
OBJECTS = ("customer", "contact", "opportunity")
_RATE_KINDS = {"completeness", "fidelity", "uniqueness", "orphans", "validity", "formats"}


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is a supported report language, else raise a UsageError."""
    if lang not in LANGS:
        raise UsageError(f"'{lang}' is not a report language", hint="use --lang en or --lang zh")
    return lang


# key -> (English, Chinese)
MESSAGES: dict[str, tuple[str, str]] = {
    # headline
    "title": ("portcheck report: CRM export check", "portcheck 报告：CRM 数据导出核验"),
    "doc_title": ("CRM export check report", "CRM 数据导出核验报告"),
    "verdict_pass": ("PASS", "通过"),
    "verdict_fail": ("FAIL", "不通过"),
    "verdict_pass_sentence": (
        "The export meets the acceptance criteria: every gating check passed.",
        "该导出符合验收标准：所有关键检查均已通过。",
    ),
    "verdict_fail_sentence": (
        "The export does NOT meet the acceptance criteria: {n} gating check(s) failed.",
        "该导出不符合验收标准：{n} 项关键检查未通过。",
    ),
    "clause_summary": (
        "Contract clauses: {met} met, {not_met} not met, {not_assessed} not assessed.",
        "合同条款：{met} 项符合，{not_met} 项不符合，{not_assessed} 项无法评估。",
    ),
    "clause_summary_none": ("No contract clauses were evaluated.", "未评估任何合同条款。"),
    "generated_at": ("Generated", "生成时间"),
    "requested_at": ("Export requested", "导出申请日期"),
    "delivered_at": ("Export delivered", "导出交付时间"),
    "profile": ("Profile", "配置档"),
    "portcheck_version": ("portcheck version", "portcheck 版本"),
    "show_values_banner": (
        "This report shows customer values unmasked ({flag}): handle it as personal data.",
        "本报告未遮蔽客户数据（使用了 {flag}）：请按个人信息妥善保管。",
    ),
    "masked_note": (
        "Customer values are masked: first and last character kept, then a fingerprint ({example}) that is "
        "equal for equal values on this machine. IDs are not masked.",
        "客户数据已遮蔽：仅保留首尾字符，并附加指纹（{example}），同一台机器上相同的值指纹相同。编号不遮蔽。",
    ),
    # sections
    "sec_summary": ("Summary", "概要"),
    "sec_failing": ("Failing checks", "未通过的检查"),
    "sec_clauses": ("Contract clauses", "合同条款"),
    "sec_object": ("{object}", "{object}"),
    "sec_records": ("Record counts", "记录数"),
    "sec_fidelity": ("Field fidelity", "字段准确率"),
    "sec_defects": ("Defects in plain words", "缺陷说明"),
    "sec_format_diffs": ("Format-only differences (counted as matches)", "仅格式不同（计为一致）"),
    "sec_examples": ("Examples (masked)", "示例（已遮蔽）"),
    "sec_examples_unmasked": ("Examples", "示例"),
    "sec_duplicates": ("Duplicates", "重复记录"),
    "sec_orphans": ("Orphans (links to missing records)", "孤立记录（关联的记录不存在）"),
    "sec_control_totals": ("Control totals", "控制总数"),
    "sec_checks": ("Checks", "检查项"),
    "sec_traps": ("Trial drill: traps", "试用期导出演练：陷阱"),
    "sec_inventory": ("Inventory of tables read", "已读取数据表清单"),
    "col_read_issues": ("Reading issues", "读取问题数"),
    "sec_inputs": ("Input files and their SHA-256", "输入文件及其 SHA-256 哈希"),
    "sec_policy": ("Policy and options", "验收策略与选项"),
    "sec_verify": ("How to verify this report", "如何验证本报告"),
    "sec_handover_checks": ("Checks of the hand-over itself", "交付本身的检查"),
    # table headers
    "col_object": ("Object", "对象"),
    "col_reference": ("Reference", "参考数据"),
    "col_export": ("Export", "导出数据"),
    "col_matched": ("Matched", "已配对"),
    "col_missing": ("Missing", "缺失"),
    "col_extra": ("Extra", "多出"),
    "col_deleted": ("Deleted", "已删除"),
    "col_ambiguous": ("Ambiguous", "无法配对"),
    "col_completeness": ("Completeness", "完整率"),
    "col_fidelity": ("Fidelity", "准确率"),
    "col_verdict": ("Result", "结果"),
    "col_clause": ("Clause", "条款"),
    "col_status": ("Status", "状态"),
    "col_evidence": ("Evidence (checks)", "依据（检查项）"),
    "col_check": ("Check", "检查项"),
    "col_observed": ("Observed", "实际值"),
    "col_threshold": ("Required", "要求"),
    "col_gating": ("Gating", "是否决定结论"),
    "col_field": ("Field", "字段"),
    "col_compared": ("Compared", "比对数"),
    "col_rate": ("Rate", "比率"),
    "col_key": ("Record ID", "记录编号"),
    "col_defect": ("Defect", "缺陷类型"),
    "col_value": ("Value", "值"),
    "col_cluster": ("Group", "组"),
    "col_keys": ("Record IDs", "记录编号"),
    "col_matched_on": ("Matched on", "相同字段"),
    "col_count": ("Count", "数量"),
    "col_currency": ("Currency", "币种"),
    "col_stage": ("Stage", "阶段"),
    "col_owner": ("Owner", "负责人"),
    "col_difference": ("Difference", "差额"),
    "col_trap": ("Trap", "陷阱"),
    "col_planted": ("Planted", "植入"),
    "col_survived": ("Survived", "保留"),
    "col_lost": ("Lost", "丢失"),
    "col_defects_seen": ("Defects seen", "发现的缺陷"),
    "col_table": ("Table", "数据表"),
    "col_rows": ("Rows", "行数"),
    "col_mapped_to": ("Read as", "对应对象"),
    "col_role": ("Role", "角色"),
    "col_name": ("Name", "名称"),
    "col_bytes": ("Size (bytes)", "大小（字节）"),
    "col_setting": ("Setting", "设置"),
    "col_amount": ("Amount", "金额"),
    "yes": ("yes", "是"),
    "no": ("no", "否"),
    "none": ("none", "无"),
    "not_available": ("n/a", "不适用"),
    "not_mapped": ("not read (unmapped)", "未读取（未映射）"),
    "no_reference": ("no reference", "无参考数据"),
    # record section sentences
    "records_sentence": (
        "{matched} of {reference} reference records were found in the export ({completeness}); "
        "{missing} missing, {extra} extra.",
        "参考数据中的 {reference} 条记录有 {matched} 条在导出中找到（{completeness}）；"
        "缺失 {missing} 条，多出 {extra} 条。",
    ),
    "records_sentence_noref": (
        "{export} records were read from the export; there is no reference to compare them with.",
        "从导出中读取了 {export} 条记录；没有可比对的参考数据。",
    ),
    "deleted_sentence": (
        "{n} records marked deleted or archived by the vendor were counted separately and left out.",
        "{n} 条被供应商标记为已删除或已归档的记录单独计数，未参与比对。",
    ),
    "declared_total_ok": (
        "The export declares {declared} records; {read} were read.",
        "导出声明共 {declared} 条记录，实际读取 {read} 条。",
    ),
    "declared_total_bad": (
        "The export declares {declared} records but {read} were read.",
        "导出声明共 {declared} 条记录，但实际只读取了 {read} 条。",
    ),
    "missing_fields": (
        "Fields the reference has but the export does not carry at all: {fields}.",
        "参考数据中有、但导出中完全没有的字段：{fields}。",
    ),
    "unmapped_columns": (
        "Export columns no profile rule maps (kept as custom fields or ignored): {fields}.",
        "配置档未映射的导出列（作为自定义字段保留或忽略）：{fields}。",
    ),
    "fidelity_sentence": (
        "{matched} of {compared} compared values are identical after normalisation ({rate}).",
        "比对的 {compared} 个值中有 {matched} 个在标准化后一致（{rate}）。",
    ),
    "fidelity_none": ("No values were compared for this object.", "该对象没有可比对的值。"),
    "chart_caption": (
        "Matched values per field. The dashed line is the required rate; the axis starts at {low}.",
        "各字段一致率。虚线为要求的比率；坐标轴从 {low} 开始。",
    ),
    "chart_informational": ("grey: informational, not gating", "灰色：仅供参考，不决定结论"),
    "no_defects": ("No defects: every compared value survived.", "没有缺陷：所有比对的值均完整保留。"),
    "defects_total": ("{n} values differ from the reference:", "共有 {n} 个值与参考数据不一致："),
    "ev_passing": ("{n} passed", "{n} 项通过"),
    "no_examples": ("No examples.", "无示例。"),
    "duplicates_sentence": (
        "Repeated IDs: {keys} surplus record(s), {rows} of them fully identical rows. Look-alike groups "
        "(distinct IDs, same entity): {clusters}, with {fuzzy} record(s) beyond the first of each.",
        "编号重复：多余记录 {keys} 条，其中完全相同的行 {rows} 条。"
        "疑似重复组（编号不同、实为同一实体）：{clusters} 组，"
        "每组第一条之外共 {fuzzy} 条。",
    ),
    "orphans_sentence": (
        "{n} records whose {field} points to a record that is not in the export.",
        "{n} 条记录的{field}指向导出中不存在的记录。",
    ),
    "no_orphans": ("No orphans.", "没有孤立记录。"),
    "control_totals_note": (
        "What a finance reviewer checks first: sums and counts on each side. Rows that differ are marked.",
        "财务审核首先核对的内容：两侧的合计与计数。不一致的行已标出。",
    ),
    "traps_intro": (
        "Each trap is a kind of value exports are known to break. Planted: how many the canary set carried.",
        "每个陷阱是一类容易在导出中损坏的值。“植入”为演练数据集中包含的数量。",
    ),
    "inventory_intro": (
        "Every table found in the export. A table not read as customer, contact or opportunity is listed so "
        'that "all data" can be judged.',
        "导出中发现的全部数据表。未读取为客户、联系人或商机的数据表也一并列出，以便判断是否交付了“全部数据”。",
    ),
    "inventory_unmapped": (
        '{n} table(s) were not read; "all data" cannot be confirmed.',
        "有 {n} 个数据表未被读取；无法确认已交付“全部数据”。",
    ),
    "policy_default": ("Default requirement", "默认要求"),
    "policy_completeness": ("Completeness at least", "完整率不低于"),
    "policy_fidelity": ("Fidelity of each field at least", "每个字段准确率不低于"),
    "policy_uniqueness": ("Uniqueness at least", "唯一性不低于"),
    "policy_orphans": ("Orphans at most", "孤立记录比例不高于"),
    "policy_override": ("Override", "特别设定"),
    "informational": ("informational", "仅供参考"),
    "option_files": ("File {name}", "文件 {name}"),
    "schema": ("Canonical schema and its SHA-256", "标准数据结构及其 SHA-256"),
    "profile_digest": ("Profile and its SHA-256", "配置档及其 SHA-256"),
    "verify_intro": (
        "This report is evidence only if it can be checked without trusting whoever made it. Two ways:",
        "只有在无需信任制作者的情况下也能核验，本报告才具有证据效力。两种方式：",
    ),
    "verify_portcheck": (
        "With portcheck: checks the signature and every hash; given the original files, also that they are "
        "the "
        "ones this report speaks of:",
        "使用 portcheck：核验签名和所有哈希值；提供原始文件时，还会确认它们正是本报告所述的文件：",
    ),
    "verify_manual": (
        "Without portcheck: check every file of the signed bundle against its {manifest} (the input files' "
        "SHA-256 are also in the table above), then the signature with OpenSSL, as the bundle's {file} "
        "explains step by step:",
        "不使用 portcheck：用签名证据包中的 {manifest} 核对每个文件（输入文件的 SHA-256 也列在上表中），"
        "再用 OpenSSL 核验签名，具体步骤见证据包中的 {file}：",
    ),
    "exit_codes": (
        "Exit codes: 0 accepted or valid, 1 not accepted or invalid, 2 unusable input.",
        "退出码：0 表示通过或有效，1 表示不通过或无效，2 表示输入无法使用。",
    ),
    # check descriptions
    "chk_completeness": ("{object}: completeness", "{object}：完整率"),
    "chk_fidelity": ("{object}: fidelity of {field}", "{object}：{field}准确率"),
    "chk_uniqueness": ("{object}: no duplicates", "{object}：唯一性（无重复）"),
    "chk_orphans": ("{object}: share of {field} links to missing records", "{object}：{field}指向不存在记录的比例"),
    "chk_required_fields": ("{object}: required fields present", "{object}：必填字段齐全"),
    "chk_declared_total": ("{object}: count equals the declared total", "{object}：记录数与声明总数一致"),
    "chk_validity": ("{object}: validity rule", "{object}：有效性规则"),
    "chk_handover_formats": ("Export in a common format", "导出为通用格式"),
    "chk_handover_objects": (
        "Customers, contacts and opportunities all delivered",
        "客户、联系人和商机均已交付",
    ),
    "chk_handover_inventory": ("Every table in the export was read", "导出中的所有数据表均已读取"),
    "chk_handover_deadline": ("Delivered within the agreed days", "在约定天数内交付"),
    "chk_other": ("{name}", "{name}"),
    "days": ("{n} days", "{n} 天"),
    "at_most_days": ("at most {n} days", "不超过 {n} 天"),
    # terminal
    "term_verdict": ("Verdict: {verdict}", "结论：{verdict}"),
    "term_failing": ("Failing checks ({n}):", "未通过的检查（{n} 项）："),
    "term_warnings": ("Warnings ({n}, not gating):", "警告（{n} 项，不决定结论）："),
    "term_more": ("… and {n} more (see report.html)", "……另有 {n} 项（见 report.html）"),
    "term_clauses": ("Contract clauses:", "合同条款："),
    "term_traps": ("Trial drill traps the export fell into:", "导出未能通过的演练陷阱："),
    "term_trap_line": ("{label}: {lost} of {planted} lost", "{label}：{planted} 个中丢失 {lost} 个"),
    "term_observed": ("{observed}, required {op} {threshold}", "实际 {observed}，要求 {op} {threshold}"),
    "progress_eta": ("{done} of {total}", "{done}/{total}"),
    # diff
    "diff_title": ("Changes from {old} to {new}:", "从 {old} 到 {new} 的变化："),
    "diff_verdict": ("Verdict: {old} → {new}", "结论：{old} → {new}"),
    "diff_better": ("Better ({n}):", "改善（{n} 项）："),
    "diff_worse": ("Worse ({n}):", "变差（{n} 项）："),
    "diff_changed": ("Changed ({n}):", "变化（{n} 项）："),
    "diff_nothing_worse": ("Nothing got worse.", "没有任何指标变差。"),
    "diff_no_changes": ("No figure changed.", "所有数字均无变化。"),
    "diff_something_worse": ("{n} figure(s) got worse.", "有 {n} 项指标变差。"),
    "diff_different_inputs": (
        "Note: the two reports were made with different profiles or references; "
        "figures may not be comparable.",
        "注意：两份报告使用的配置档或参考数据不同，数字可能不可比。",
    ),
    "diff_records": ("{object}: {what}", "{object}：{what}"),
    "m_records": ("records ({kind})", "记录数（{kind}）"),
    "m_completeness": ("completeness", "完整率"),
    "m_fidelity": ("overall fidelity", "总体准确率"),
    "m_field_fidelity": ("fidelity of {field}", "{field}准确率"),
    "m_defect": ("defects: {kind}", "缺陷：{kind}"),
    "m_duplicates": ("duplicates ({kind})", "重复（{kind}）"),
    "m_orphans": ("orphans ({field})", "孤立记录（{field}）"),
    "m_check": ("check {check}", "检查 {check}"),
    "dup_keys": ("repeated IDs", "编号重复"),
    "dup_rows": ("identical rows", "完全相同的行"),
    "dup_fuzzy_clusters": ("look-alike groups", "疑似重复组"),
    "dup_fuzzy_records": ("look-alike records", "疑似重复记录"),
}

OBJECT_LABELS = {
    "customer": ("Customers", "客户"),
    "contact": ("Contacts", "联系人"),
    "opportunity": ("Opportunities", "商机"),
}

FIELD_LABELS: dict[str, tuple[str, str]] = {
    "customer_id": ("customer ID", "客户编号"),
    "contact_id": ("contact ID", "联系人编号"),
    "opportunity_id": ("opportunity ID", "商机编号"),
    "name": ("name", "名称"),
    "industry": ("industry", "行业"),
    "level": ("level", "客户级别"),
    "status": ("status", "状态"),
    "owner": ("owner", "负责人"),
    "phone": ("phone", "电话"),
    "mobile": ("mobile", "手机"),
    "email": ("email", "电子邮箱"),
    "website": ("website", "网站"),
    "tax_id": ("tax ID", "税号"),
    "country": ("country", "国家或地区"),
    "region": ("region", "省份或州"),
    "city": ("city", "城市"),
    "address": ("address", "地址"),
    "postal_code": ("postal code", "邮政编码"),
    "source": ("source", "来源"),
    "created_at": ("created at", "创建时间"),
    "updated_at": ("updated at", "更新时间"),
    "notes": ("notes", "备注"),
    "full_name": ("full name", "姓名"),
    "first_name": ("first name", "名"),
    "last_name": ("last name", "姓"),
    "title": ("job title", "职务"),
    "is_primary": ("primary contact", "主要联系人"),
    "stage": ("stage", "阶段"),
    "amount": ("amount", "金额"),
    "currency": ("currency", "币种"),
    "probability": ("probability", "赢率"),
    "expected_close_date": ("expected close date", "预计成交日期"),
}
# a field name whose meaning depends on the object
OBJECT_FIELD_LABELS: dict[tuple[str, str], tuple[str, str]] = {
    ("customer", "name"): ("customer name", "客户名称"),
    ("opportunity", "name"): ("opportunity name", "商机名称"),
}

STAGE_LABELS = {
    "lead": ("lead", "线索"),
    "qualification": ("qualification", "资格确认"),
    "needs_analysis": ("needs analysis", "需求分析"),
    "proposal": ("proposal", "方案报价"),
    "negotiation": ("negotiation", "商务谈判"),
    "won": ("won", "赢单"),
    "lost": ("lost", "输单"),
}

CHECK_STATUS_LABELS = {
    "pass": ("pass", "通过"),
    "fail": ("fail", "未通过"),
    "warn": ("warning", "警告"),
    "not_assessed": ("not assessed", "未评估"),
}

CLAUSE_STATUS_LABELS = {
    "met": ("met", "符合"),
    "not_met": ("not met", "不符合"),
    "not_assessed": ("not assessed", "无法评估"),
}

ROLE_LABELS = {"export": ("export", "导出数据"), "reference": ("reference", "参考数据")}

OPTION_LABELS = {
    "profile": ("profile", "配置档"),
    "match_on": ("pairing keys", "配对键"),
    "timezone": ("time zone", "时区"),
    "engine": ("engine", "计算引擎"),
    "files": ("files", "文件"),
    "region": ("phone region", "电话地区"),
    "encoding": ("encoding", "字符编码"),
    "mapping": ("mapping file", "映射文件"),
    "policy": ("policy file", "策略文件"),
    "clauses": ("clause file", "条款文件"),
    "reference_profile": ("reference profile", "参考数据配置档"),
    "value_maps": ("value maps", "值映射"),
    "threshold": ("threshold", "阈值"),
    "show_values": ("values shown", "显示原值"),
    "lang": ("language", "语言"),
}

# Defect kinds, in DESIGN's order: a short label and a plain-words sentence.
from portcheck.compare.classify import DEFECT_KINDS  # noqa: E402  (one list, in DESIGN's order)

DEFECT_LABELS = {
    "missing_value": ("value lost", "值丢失"),
    "numeric_precision": ("number precision lost", "数字精度丢失"),
    "timezone_shift": ("time-zone shift", "时区偏移"),
    "leading_zero": ("leading zero dropped", "前导零丢失"),
    "encoding": ("garbled characters", "乱码"),
    "truncated": ("truncated", "截断"),
    "value_changed": ("value changed", "值被改动"),
}
DEFECT_SENTENCES = {
    "missing_value": (
        "Values lost{where}: {n} {values} present in the reference, empty in the export.",
        "值丢失{where}：{n} 个{values}在参考数据中有、在导出中为空。",
    ),
    "numeric_precision": (
        "Number precision lost{where}: {n} {values} rounded or converted (1234.56 became 1235, "
        "or a long code "
        "turned into scientific notation).",
        "数字精度丢失{where}：{n} 个{values}被四舍五入或转换"
        "（如 1234.56 变为 1235，或长编码变成科学计数法）。",
    ),
    "timezone_shift": (
        "Time-zone shift{where}: {n} {values} moved by whole hours, now naming a different moment.",
        "时区偏移{where}：{n} 个{values}整体偏移了若干小时，表示的时刻已经不同。",
    ),
    "leading_zero": (
        "Leading zeros dropped{where}: {n} {values} without their leading 0 "
        "(phone numbers, postal codes, codes).",
        "前导零丢失{where}：{n} 个{values}开头的 0 被删掉（电话号码、邮政编码、各类编码）。",
    ),
    "encoding": (
        "Garbled characters{where}: {n} {values} decoded with the wrong character set, "
        "or with characters lost.",
        "乱码{where}：{n} 个{values}因字符集错误而出现乱码或丢失字符。",
    ),
    "truncated": (
        "Truncation{where}: {n} {values} cut short{at}.",
        "截断{where}：{n} 个{values}被截短{at}。",
    ),
    "value_changed": (
        "Other changes{where}: {n} {values} different from the reference in no pattern listed above.",
        "其他改动{where}：{n} 个{values}与参考数据不一致，且不属于上述任何已知模式。",
    ),
}
TRUNCATED_AT = (" at {n} characters", "至 {n} 个字符")


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "zh" else pair[0]


def t(key: str, lang: str, **kw: object) -> str:
    """The string ``key`` in ``lang``, with its placeholders filled in."""
    text = _pick(MESSAGES[key], lang)
    return text.format(**kw) if kw else text


def raw(key: str, lang: str) -> str:
    """The string ``key`` in ``lang`` with its placeholders left in (for renderers that escape first)."""
    return _pick(MESSAGES[key], lang)


def object_label(obj: str, lang: str) -> str:
    pair = OBJECT_LABELS.get(obj)
    return _pick(pair, lang) if pair else obj


def field_label(obj: str | None, fld: str, lang: str) -> str | None:
    """The label of a canonical field, or ``None`` for a field portcheck does not know (``x_`` fields)."""
    pair = OBJECT_FIELD_LABELS.get((obj or "", fld)) or FIELD_LABELS.get(fld)
    return _pick(pair, lang) if pair else None


def check_label(cid: str, lang: str) -> str:
    """A check ID in words ("Contacts: fidelity of email"); an unknown ID is returned as it is."""
    parts = cid.split(".")
    if parts[0] in OBJECT_LABELS and len(parts) >= 2:
        obj, kind, rest = parts[0], parts[1], ".".join(parts[2:])
        o = object_label(obj, lang)
        if kind in ("fidelity", "orphans") and rest:
            return t(f"chk_{kind}", lang, object=o, field=field_label(obj, rest, lang) or rest)
        if kind == "validity" and rest:
            return t("chk_validity", lang, object=o) + f" {rest}"
        if kind in ("completeness", "uniqueness", "required_fields", "declared_total") and not rest:
            return t(f"chk_{kind}", lang, object=o)
    if cid.startswith("handover.") and f"chk_handover_{parts[-1]}" in MESSAGES:
        return t(f"chk_handover_{parts[-1]}", lang)
    return cid


def exact_rates(objects: dict) -> dict[str, Fraction]:
    """Unrounded rates of the completeness and fidelity checks, from the counts behind them."""
    out: dict[str, Fraction] = {}
    for obj, o in objects.items():
        if not isinstance(o, dict):
            continue
        rec = o.get("records") or {}
        r = exact_rate(rec.get("matched"), rec.get("reference"))
        if r is not None:
            out[f"{obj}.completeness"] = r
        for f, fd in ((o.get("fidelity") or {}).get("fields") or {}).items():
            r = exact_rate(fd.get("matched"), fd.get("compared")) if isinstance(fd, dict) else None
            if r is not None:
                out[f"{obj}.fidelity.{f}"] = r
    return out


def check_kind(cid: str) -> str:
    parts = cid.split(".")
    if parts[0] == "handover":
        return parts[-1]
    return parts[1] if len(parts) > 1 else ""


def check_figures(check: dict, lang: str, exact: Fraction | None = None) -> tuple[str, str, str]:
    """(observed, operator, threshold) of a check, formatted for reading (``exact``: the unrounded rate)."""
    kind = check_kind(str(check.get("id", "")))
    obs, thr = check.get("observed"), check.get("threshold")
    if exact is not None:
        obs = exact
    op = {"orphans": "≤", "deadline": "≤", "inventory": "=", "declared_total": "="}.get(kind, "≥")
    if kind in _RATE_KINDS:
        below_is_bad = op == "≥"
        shown = fmt_rate(obs, threshold=thr if below_is_bad else None)
        return shown, op, fmt_threshold(thr) if thr is not None else "—"
    if kind == "deadline":
        return (
            t("days", lang, n=fmt_int(obs)) if obs is not None else "—",
            op,
            t("days", lang, n=fmt_int(thr)) if thr is not None else "—",
        )
    return (fmt_int(obs) if obs is not None else "—"), op, (fmt_int(thr) if thr is not None else "—")


def label_of(table: dict[str, tuple[str, str]], key: str, lang: str) -> str | None:
    pair = table.get(key)
    return _pick(pair, lang) if pair else None


def defect_sentence(
    kind: str, lang: str, *, n: int, field: str | None = None, truncated_at: int | None = None
) -> str | None:
    """A plain-words sentence for ``n`` defects of ``kind`` (in ``field``, a label, when known)."""
    pair = DEFECT_SENTENCES.get(kind)
    if pair is None:
        return None
    at = _pick(TRUNCATED_AT, lang).format(n=fmt_int(truncated_at)) if truncated_at else ""
    where = (f"（{field}）" if lang == "zh" else f" ({field})") if field else ""
    values = "值" if lang == "zh" else ("value" if n == 1 else "values")
    return _pick(pair, lang).format(n=fmt_int(n), values=values, where=where, at=at)


# ---- numbers -----------------------------------------------------------------------------------------------


def fmt_int(n: object) -> str:
    """``1048`` → ``1,048``; ``None`` → ``—``."""
    if n is None:
        return "—"
    if isinstance(n, bool):
        return str(n)
    if isinstance(n, int):
        return f"{n:,}"
    if isinstance(n, float) and n.is_integer():
        return f"{int(n):,}"
    return str(n)


def exact_rate(numerator: object, denominator: object) -> Fraction | None:
    """numerator / denominator as an exact fraction; ``None`` if missing or over 0."""
    if not isinstance(numerator, int) or not isinstance(denominator, int) or denominator == 0:
        return None
    return Fraction(numerator, denominator)


def _to_fraction(rate: object) -> Fraction | None:
    if rate is None or isinstance(rate, bool):
        return None
    if isinstance(rate, Fraction):
        return rate
    if isinstance(rate, (int, float)):
        return Fraction(Decimal(str(rate)))
    return None


def fmt_rate(rate: object, *, threshold: object = None, decimals: int = 3) -> str:
    """A rate (0–1, float or Fraction) as a percentage with ``decimals`` places (report.json's 5 decimals).

    More places (up to 8) are shown whenever rounding would blur what matters: a rate below ``threshold``
    never prints equal to it (98.9996% with a 99% threshold shows as 98.9996%, not 99.000%), and a rate below
    100% never prints as 100.000% (nor a rate above 0 as 0.000%). ``None`` (a zero denominator) shows
    as ``—``.
    """
    r = _to_fraction(rate)
    if r is None:
        return "—"
    thr = _to_fraction(threshold)
    places = decimals
    while True:
        shown = _pct(r, places)
        blurred = (
            (thr is not None and r < thr and shown == _pct(thr, places))
            or (r < 1 and shown == _pct(Fraction(1), places))
            or (r > 0 and shown == _pct(Fraction(0), places))
        )
        if not blurred or places >= 8:
            return shown
        places += 1


def _pct(r: Fraction, places: int) -> str:
    value = Decimal(r.numerator * 100) / Decimal(r.denominator)
    q = Decimal(1).scaleb(-places)
    return f"{value.quantize(q, rounding=ROUND_HALF_EVEN):,.{places}f}%"


def fmt_threshold(threshold: object) -> str:
    """A threshold as a percentage with as few decimals as it needs (0.99 → 99%, 0.995 → 99.5%)."""
    r = _to_fraction(threshold)
    if r is None:
        return "—"
    value = Decimal(r.numerator * 100) / Decimal(r.denominator)
    text = f"{value.normalize():f}"
    return f"{text}%"
