"""Normalised forms used to find fuzzy duplicates (vectorised over Arrow arrays).

- every text: NFKC (full-width letters, digits and brackets become half-width), lower-cased;
- company names: optionally traditional → simplified Chinese, bracket characters removed (their content
  kept), spaces next to CJK characters removed, then legal suffixes stripped from the end, longest first
  and repeatedly (``Co., Ltd.``, ``股份有限公司``, ``(集团)有限公司`` …), then every character that is not a
  letter or a digit removed: ``深圳华信科技（有限公司）`` and ``深圳 华信科技有限公司`` both become
  ``深圳华信科技``;
- person names: punctuation removed, spaces between CJK characters removed (``王 伟`` → ``王伟``);
- emails: lower-cased; for gmail.com / googlemail.com only, dots and ``+tag`` dropped from the local part;
- phones: E.164 as phonenumbers reads them (the row's country, else the table's region; ``+`` numbers
  need none), vectorised through :mod:`portcheck.checks.phones`; a number that cannot be parsed keeps its
  digits when it has 7 or more;
- identifiers: letters and digits only, upper-cased; web sites: the host without ``www.``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from portcheck.checks._arrow import map_distinct
from portcheck.checks._unicode_gate import utf8_normalize

# Legal-form suffixes, longest first. Latin forms must stand as their own word (so "Costco" keeps its "co").
_LATIN_SUFFIXES = (
    "incorporated", "corporation", "limited liability company", "company limited", "company", "limited",
    "l.l.c.", "l.l.c", "llc", "ltd", "inc", "corp", "co", "plc", "llp", "lp", "gmbh & co. kg", "gmbh",
    "ag", "kg", "s.a.r.l.", "sarl", "s.a.", "sa", "s.r.l.", "srl", "s.p.a.", "spa", "b.v.", "bv", "n.v.",
    "nv", "pte", "pty", "k.k.", "kk", "oy", "ab", "as", "a/s", "sdn bhd", "bhd",
)
_CJK_SUFFIXES = (
    "股份有限公司", "有限责任公司", "有限責任公司", "集团有限公司", "集團有限公司", "有限公司",
    "株式会社", "集团", "集團", "公司",
)


def _suffix_regex() -> str:
    latin = sorted(_LATIN_SUFFIXES, key=len, reverse=True)
    cjk = sorted(_CJK_SUFFIXES, key=len, reverse=True)
    latin_alt = "|".join(re.escape(s).replace("\\ ", " ") for s in latin)
    cjk_alt = "|".join(re.escape(s) for s in cjk)
    return rf"(?:[ ,.&\-]*(?:\b(?:{latin_alt})(?:\b|[.])|{cjk_alt}))+[ ,.&\-]*$"


SUFFIX_REGEX = _suffix_regex()
_BRACKETS = r"[()\[\]{}（）【】〔〕［］｛｝〈〉《》「」『』<>]"
_NOT_ALNUM = r"[^\p{L}\p{N}]+"
_HAN = r"\p{Han}"
# Whatever a step of company_key may change: _NOT_ALNUM holds every white space and bracket, so a name
# without a match is letters and digits, which no step (nor trimming) changes.
_COMPANY_ANY = f"{_NOT_ALNUM}|{SUFFIX_REGEX}"

# Traditional → simplified for characters common in company and person names (a table, not a converter:
# enough to pair 深圳華信科技有限公司 with 深圳华信科技有限公司; rare characters pass unchanged).
_T = ("華國際電貿團發產業機車東廣門灣網訊豐實興營務銷醫藥龍陽開資術學會價線設計義鐵農漢聯體廠區縣圖號"
      "紅綠藍黃長萬億貨運輸達遠進邊鄉雲風飛馬魚鳥齊創築證銀險財經濟環節應軟數據處製裝備傳視頻聲樂藝島蘇閩"
      "滬粵瀋臺陸關縣廳層樓廈頭條壽當倉庫紡織針礦煤鋼鐵鋁銅錢鑫滙匯豐寶貝師傳統廣場電腦儀錶測權協議"
      "車輛駕駛導航軌動態檔屬標準質檢驗認證報關稅務庫存員輝張陳楊趙黃劉吳鄭馮蔣沈韓馮鄧許蕭葉蘇盧譚鍾賴"
      "錢孫閻顧孟龔歐陽葉鄒羅謝龐廬鳳蓮麗偉軍強潔靜婦濤歡聰穎韻慧賢麗鵬鳴")
_S = ("华国际电贸团发产业机车东广门湾网讯丰实兴营务销医药龙阳开资术学会价线设计义铁农汉联体厂区县图号"
      "红绿蓝黄长万亿货运输达远进边乡云风飞马鱼鸟齐创筑证银险财经济环节应软数据处制装备传视频声乐艺岛苏闽"
      "沪粤沈台陆关县厅层楼厦头条寿当仓库纺织针矿煤钢铁铝铜钱鑫汇汇丰宝贝师传统广场电脑仪表测权协议"
      "车辆驾驶导航轨动态档属标准质检验认证报关税务库存员辉张陈杨赵黄刘吴郑冯蒋沈韩冯邓许萧叶苏卢谭钟赖"
      "钱孙阎顾孟龚欧阳叶邹罗谢庞庐凤莲丽伟军强洁静妇涛欢聪颖韵慧贤丽鹏鸣")
T2S = str.maketrans(_T, _S)


_T_CLASS = "[" + "".join(sorted(set(_T))) + "]"


def _t2s(arr: pa.Array) -> pa.Array:
    """Traditional → simplified through the table, only on the values holding one of its characters (one
    regex pass finds them; Python translates each distinct one of those)."""
    import numpy as np

    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    has = pc.fill_null(pc.match_substring_regex(arr, _T_CLASS), False)
    has = np.asarray(has.to_numpy(zero_copy_only=False), bool)
    if not has.any():
        return arr
    if has.all():
        return map_distinct(arr, lambda v: v.translate(T2S))
    rows = pa.array(np.flatnonzero(has))
    return pc.replace_with_mask(arr, pa.array(has), map_distinct(arr.take(rows), lambda v: v.translate(T2S)))


def _base(arr: pa.Array, t2s: bool) -> pa.Array:
    out = pc.utf8_lower(utf8_normalize(arr, "NFKC"))
    out = pc.replace_substring(out, "ß", "ss")  # casefold's one common difference from lower()
    if t2s:
        out = _t2s(out)
    return pc.utf8_trim_whitespace(out)


def _sub(arr: pa.Array, pattern: str, replacement: str) -> pa.Array:
    """``replace_substring_regex``, run only on the values the pattern occurs in (none, often: names
    without punctuation or spaces). The patterns used never match the empty string."""
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    hit = pc.fill_null(pc.match_substring_regex(arr, pattern), False)
    count = pc.sum(hit).as_py() or 0
    if count == 0:
        return arr
    if count > len(arr) // 2:
        return pc.replace_substring_regex(arr, pattern, replacement)
    return pc.replace_with_mask(arr, hit, pc.replace_substring_regex(arr.filter(hit), pattern, replacement))


def _join_cjk(arr: pa.Array) -> pa.Array:
    out = _sub(arr, rf"({_HAN})\s+", r"\1")
    return _sub(out, rf"\s+({_HAN})", r"\1")


def _per_distinct(fn: Callable[..., pa.Array]) -> Callable[..., pa.Array]:
    """Run an element-wise normalisation on the distinct values when values repeat (person names: a few
    thousand distinct in a million contacts), on the values themselves otherwise (a sample decides)."""

    @functools.wraps(fn)
    def run(arr: pa.Array, **kwargs: Any) -> pa.Array:
        arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
        n = len(arr)
        if n < 4096:
            return fn(arr, **kwargs)
        step = max(1, n // 4096)
        sample = arr.slice(0, step * 4096).take(pa.array(range(0, step * 4096, step)))
        if len(pc.unique(sample)) > len(sample) // 2:
            return fn(arr, **kwargs)
        enc = pc.dictionary_encode(arr)
        return pc.take(fn(enc.dictionary, **kwargs), enc.indices)

    return run


def _null_if_empty(arr: pa.Array) -> pa.Array:
    return pc.if_else(pc.fill_null(pc.equal(arr, ""), True), pa.scalar(None, pa.string()), arr)


@_per_distinct
def company_key(arr: pa.Array, *, t2s: bool = True) -> pa.Array:
    out = _base(arr, t2s)
    # Names holding none of the patterns below (letters and digits only, no suffix) come out unchanged:
    # one regex finds the others, and only they go through the steps (each step would look at every name).
    hit = pc.fill_null(pc.match_substring_regex(out, _COMPANY_ANY), False)
    count = pc.sum(hit).as_py() or 0
    if count > len(out) // 2:
        out = _company_steps(out)
    elif count:
        out = pc.replace_with_mask(out, hit, _company_steps(out.filter(hit)))
    return _null_if_empty(out)


def _company_steps(out: pa.Array) -> pa.Array:
    out = _sub(out, _BRACKETS, " ")
    out = pc.utf8_trim_whitespace(_sub(_join_cjk(out), r"\s+", " "))
    out = _sub(out, SUFFIX_REGEX, "")
    return _sub(out, _NOT_ALNUM, "")


@_per_distinct
def person_key(arr: pa.Array, *, t2s: bool = True) -> pa.Array:
    """Lower-cased words separated by one space (CJK names joined), punctuation removed."""
    out = _base(arr, t2s)
    out = _sub(out, r"[^\p{L}\p{N}\s]+", " ")
    if pc.any(pc.match_substring_regex(out, r"\s")).as_py():  # else joining and collapsing change nothing
        out = _sub(_join_cjk(out), r"\s+", " ")
    return _null_if_empty(pc.utf8_trim_whitespace(out))


@_per_distinct
def text_key(arr: pa.Array, *, t2s: bool = False) -> pa.Array:
    out = _base(arr, t2s)
    out = pc.utf8_trim_whitespace(_sub(out, r"[^\p{L}\p{N}]+", " "))
    return _null_if_empty(out)


@_per_distinct
def id_key(arr: pa.Array) -> pa.Array:
    out = pc.utf8_upper(utf8_normalize(arr, "NFKC"))
    return _null_if_empty(_sub(out, _NOT_ALNUM, ""))


@_per_distinct
def email_key(arr: pa.Array) -> pa.Array:
    out = pc.utf8_trim_whitespace(pc.utf8_lower(utf8_normalize(arr, "NFKC")))
    # ends_with compares the last bytes; the regex r"@(gmail|googlemail)\.com$" scanned every address
    gmail = pc.fill_null(pc.or_(pc.ends_with(out, "@gmail.com"), pc.ends_with(out, "@googlemail.com")), False)
    if not pc.any(gmail).as_py():
        return _null_if_empty(out)
    local = pc.replace_substring_regex(out, r"@.*$", "")
    local = pc.replace_substring(pc.replace_substring_regex(local, r"\+.*$", ""), ".", "")
    gm = pc.binary_join_element_wise(local, "gmail.com", "@")
    return _null_if_empty(pc.if_else(gmail, gm, out))


@_per_distinct
def domain_key(arr: pa.Array) -> pa.Array:
    out = pc.utf8_trim_whitespace(pc.utf8_lower(utf8_normalize(arr, "NFKC")))
    out = pc.replace_substring_regex(out, r"^[a-z][a-z0-9+.-]*://", "")
    out = pc.replace_substring_regex(out, r"^www[0-9]*\.", "")
    out = pc.replace_substring_regex(out, r"[/?#:].*$", "")
    return _null_if_empty(out)


def phone_key(values: pa.Array, regions: pa.Array) -> pa.Array:
    """E.164 where the number can be read (its row's region, or a leading +), else its digits (7 or more)."""
    from portcheck.checks.rules import phone_rows

    return phone_rows(values, regions)[1]


def digits_of(arr: pa.Array) -> pa.Array:
    """The ASCII digits of a value, in order ('' when none or null): names that differ only in a number stay
    apart."""
    from portcheck.checks.phones import ascii_digits

    return ascii_digits(arr)
