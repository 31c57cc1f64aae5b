"""Which text encoding a file is in, and how sure portcheck is.

Order of evidence:

1. ``ReadOptions.encoding`` (``--encoding``) wins, always.
2. A byte-order mark is certain: UTF-8 (``utf-8-sig``), UTF-16 LE/BE, UTF-32 LE/BE.
3. UTF-16 without a BOM shows as a NUL in every other byte.
4. Valid UTF-8 (checked on a sample here; the CSV reader re-checks every byte while parsing, and falls back
   to step 5 if a later byte is not UTF-8).
5. charset-normalizer, restricted to the encodings CRM exports are written in, with ties between equally
   plausible decodings broken in favour of GB18030 (it contains GBK and GB2312, so no character is lost),
   then Big5, then CP1252 (which Latin-1 files almost always are), then Latin-1, Shift_JIS and EUC-KR.
   When several decodings are equally plausible the confidence says so and the others are listed.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

from portcheck.errors import ReadError, UsageError

SAMPLE_BYTES = 1 << 20  # bytes charset-normalizer looks at
UTF8_SAMPLE = 1 << 20  # bytes checked for UTF-8 before trusting the parser's own check

# Preference when charset-normalizer finds several decodings equally plausible (lower = preferred).
PREFERENCE = ["gb18030", "big5", "cp1252", "latin_1", "cp932", "cp949"]
_TIE = 0.02  # chaos within this of the best counts as a tie

# charset-normalizer names -> the names portcheck reports.
_NAMES = {
    "gb18030": "gb18030",
    "gbk": "gb18030",
    "gb2312": "gb18030",
    "cp936": "gb18030",
    "hz": "gb18030",
    "big5": "big5",
    "big5hkscs": "big5",
    "cp950": "big5",
    "cp1252": "cp1252",
    "latin_1": "latin-1",
    "iso8859_1": "latin-1",
    "cp932": "shift_jis",
    "shift_jis": "shift_jis",
    "cp949": "euc-kr",
    "euc_kr": "euc-kr",
}

# How to decode each reported name (supersets that Windows writes: CP950 for Big5, CP932 for Shift_JIS).
DECODERS = {"big5": ("big5", "cp950", "big5hkscs"), "shift_jis": ("cp932",), "euc-kr": ("cp949",)}

_NON_ASCII_LINE = re.compile(rb"[^\n]*[\x80-\xff][^\n]*(?:\n|$)")
_NAMES_ISOLATION = ("gb18030", "big5", "cp1252", "latin_1", "cp932", "cp949")

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass
class Detected:
    """The encoding portcheck will decode with, how sure it is, and what else would have decoded."""

    encoding: str
    confidence: float
    method: str  # option | bom | utf-8 | nul-pattern | detector | fallback
    alternatives: list[str] = field(default_factory=list)

    @property
    def is_utf8(self) -> bool:
        return self.encoding in ("utf-8", "utf-8-sig")


def check_codec(name: str) -> str:
    """Validate a user-given encoding name (``--encoding``)."""
    try:
        return codecs.lookup(name).name
    except LookupError as e:
        raise UsageError(
            f"'{name}' is not an encoding Python knows",
            hint="use a name such as utf-8, gb18030, big5, utf-16, cp1252 or latin-1",
        ) from e


def detect(data: bytes | memoryview, override: str | None = None, *, name: str = "the file") -> Detected:
    """Detect the encoding of ``data`` (see the module docstring for the order of evidence)."""
    if override:
        check_codec(override)
        return Detected(override, 1.0, "option")
    head = bytes(data[:4])
    for bom, enc in _BOMS:
        if head.startswith(bom):
            return Detected(enc, 1.0, "bom")
    sample = bytes(data[:UTF8_SAMPLE])
    nul = _nul_pattern(sample)
    if nul:
        return Detected(nul, 0.9, "nul-pattern")
    if _is_utf8_prefix(sample, complete=len(data) <= UTF8_SAMPLE):
        return Detected("utf-8", 1.0 if sample.isascii() else 0.99, "utf-8")
    return detect_legacy(data, name=name)


def detect_legacy(
    data: bytes | memoryview, *, name: str = "the file", near_first_non_utf8: bool = False
) -> Detected:
    """Pick among the legacy encodings with charset-normalizer (the data is known not to be UTF-8).

    With ``near_first_non_utf8`` the sample is taken around the first byte that is not UTF-8 (for files
    whose first megabyte is plain ASCII).
    """
    from charset_normalizer import from_bytes

    start = 0
    if near_first_non_utf8:
        try:
            bytes(data).decode("utf-8")
        except UnicodeDecodeError as e:
            start = bytes(data[max(0, e.start - 65536) : e.start]).rfind(b"\n")
            start = max(0, e.start - 65536) + start + 1 if start >= 0 else max(0, e.start - 65536)
    sample = _cut_at_line(bytes(data[start : start + SAMPLE_BYTES]))
    # charset-normalizer samples a few chunks: give it the lines that are not plain ASCII
    focused = b"".join(_NON_ASCII_LINE.findall(sample))
    if len(focused) >= 64 or (focused and len(sample) > 4 * len(focused)):
        sample = focused
    if b"\x00" in sample:
        raise ReadError(
            f"{name} contains binary data, not text",
            hint="check that it is really a CSV/text export (not a renamed workbook or archive)",
        )
    chinese = _chinese_choice(sample)
    if chinese is not None:
        return chinese
    results = from_bytes(sample, cp_isolation=list(_NAMES_ISOLATION), preemptive_behaviour=False)
    candidates = [
        m for m in results if m.encoding in _NAMES and _NAMES[m.encoding] not in ("gb18030", "big5")
    ]
    if not candidates:  # Latin-1 decodes any bytes: a last resort, said to be unsure (the CSV reader
        return Detected("latin-1", 0.3, "fallback")  # refuses it if it turns out to be binary)
    best_chaos = min(m.chaos for m in candidates)
    tied = [m for m in candidates if m.chaos <= best_chaos + _TIE]
    tied.sort(key=lambda m: (PREFERENCE.index(m.encoding) if m.encoding in PREFERENCE else 99, m.chaos))
    names: list[str] = []
    for m in tied:
        n = _NAMES[m.encoding]
        if n not in names:
            names.append(n)
    chosen = names[0]
    confidence = round(max(0.0, 1.0 - best_chaos), 3)
    if len(names) > 1:  # equally plausible decodings: say so
        confidence = round(min(confidence, 0.6), 3)
    return Detected(chosen, confidence, "detector", alternatives=names[1:])


_COMMON: set[str] | None = None
CHINESE_MIN = 0.6  # share of non-ASCII characters that must be common hanzi for a Chinese decoding


def _common_hanzi() -> set[str]:
    """The 3,755 level-1 characters of GB2312 and the 5,401 common characters of Big5."""
    global _COMMON
    if _COMMON is None:
        common: set[str] = set()
        for hi in range(0xB0, 0xD8):
            for lo in range(0xA1, 0xFF):
                try:
                    common.add(bytes([hi, lo]).decode("gb2312"))
                except UnicodeDecodeError:
                    pass
        for hi in range(0xA4, 0xC7):
            for lo in list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF)):
                if (hi, lo) > (0xC6, 0x7E):
                    break
                try:
                    common.add(bytes([hi, lo]).decode("big5"))
                except UnicodeDecodeError:
                    pass
        _COMMON = common
    return _COMMON


def _chinese_score(text: str) -> float:
    """Share of non-ASCII characters (CJK punctuation and full-width forms aside) that are common hanzi."""
    common = _common_hanzi()
    total = hits = 0
    for ch in text:
        if ch < "\x80" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef":
            continue
        total += 1
        if ch in common:
            hits += 1
    return hits / total if total else 0.0


def _chinese_choice(sample: bytes) -> Detected | None:
    """GB18030 or Big5, whichever decodes the sample into common Chinese; None when neither does.

    Short Chinese samples fool statistical detectors (``王伟`` in GBK is also valid Big5 and EUC-KR); the
    share of everyday characters in each decoding does not.
    """
    scores: dict[str, float] = {}
    for name, codecs_ in (("gb18030", ("gb18030",)), ("big5", ("big5", "cp950", "big5hkscs"))):
        for codec in codecs_:
            try:
                scores[name] = _chinese_score(sample.decode(codec))
                break
            except UnicodeDecodeError:
                continue
    good = sorted((s, n) for n, s in scores.items() if s >= CHINESE_MIN)
    if not good:
        return None
    score, chosen = max(good, key=lambda x: (x[0], x[1] == "gb18030"))
    others = [n for s, n in good if n != chosen]
    confidence = round(score if not others else min(score, 0.6), 3)
    return Detected(chosen, confidence, "detector", alternatives=others)


def decode(data: bytes | memoryview, detected: Detected, *, name: str = "the file") -> str:
    """Decode with the detected encoding (or its Windows superset); a BOM is removed."""
    encodings = DECODERS.get(detected.encoding, (detected.encoding,))
    if detected.encoding == "cp1252":
        encodings = ("cp1252", "latin-1")  # bytes CP1252 leaves undefined are Latin-1 controls
    last: Exception | None = None
    for enc in encodings:
        try:
            text = bytes(data).decode(enc)
        except (UnicodeDecodeError, LookupError) as e:
            last = e
            continue
        if enc == "latin-1" and detected.encoding == "cp1252":
            detected.encoding = "latin-1"
        return text[1:] if text.startswith("\ufeff") else text
    where = ""
    if isinstance(last, UnicodeDecodeError):
        where = f" (byte {last.start:,})"
    raise ReadError(
        f"{name} cannot be decoded as {detected.encoding}{where}",
        hint="pass --encoding with the file's real encoding (e.g. gb18030, big5, utf-16, cp1252)",
    )


def decode_imperfect(data: bytes, *, name: str = "the file") -> tuple[str, Detected, list[str]] | None:
    """UTF-8 text that is not UTF-8 throughout, read line by line: (text, detected, issues), or None.

    Two things break UTF-8 files, and reading the whole file in a legacy encoding that happens to accept
    the bytes would garble every other character:

    - a character cut short (a vendor truncating values at a byte limit): the line is still mostly valid
      UTF-8, so it is read as UTF-8 with U+FFFD for each invalid sequence;
    - rows from a GB18030 (or other legacy) export appended to a UTF-8 one: lines with more invalid
      sequences than valid non-ASCII characters are decoded in the encoding detected on those lines alone.

    Tried only when the text before the first invalid byte already holds UTF-8 beyond ASCII, so a file
    entirely in a legacy encoding costs one failed decode. None when that does not hold, or the non-UTF-8
    lines are in no recognisable encoding.
    """
    try:
        data.decode("utf-8")
        return None
    except UnicodeDecodeError as e:
        if data[: e.start].isascii():
            return None
    replacement = "\ufffd".encode("utf-8")
    lines = data.split(b"\n")
    texts: list[str | None] = []
    legacy_idx: list[int] = []
    repaired: list[int] = []  # line indexes
    invalid_total = 0
    for i, line in enumerate(lines):
        try:
            texts.append(line.decode("utf-8"))
            continue
        except UnicodeDecodeError:
            pass
        text = line.decode("utf-8", errors="replace")
        invalid = text.count("\ufffd") - line.count(replacement)
        valid_non_ascii = len(text) - len(text.encode("ascii", errors="ignore")) - invalid
        if valid_non_ascii >= invalid:
            texts.append(text)
            repaired.append(i)
            invalid_total += invalid
        else:
            texts.append(None)
            legacy_idx.append(i)
    issues = []
    detected = Detected("utf-8", 0.9, "utf-8-repaired")
    if legacy_idx:
        legacy = detect_legacy(b"\n".join(lines[i] for i in legacy_idx), name=name)
        if legacy.method == "fallback":
            return None
        for i in legacy_idx:
            texts[i] = decode(lines[i], legacy, name=f"{name} line {i + 1}")
        n = len(legacy_idx)
        issues.append(
            f"line {legacy_idx[0] + 1}: the file mixes encodings; {n:,} line{'s' if n != 1 else ''} "
            f"read as {legacy.encoding}, the others as UTF-8"
        )
        detected = Detected(legacy.encoding, legacy.confidence, "mixed", legacy.alternatives)
    if repaired:
        are = "s are" if invalid_total != 1 else " is"
        issues.append(
            f"line {repaired[0] + 1}: {invalid_total:,} byte sequence{are} not valid UTF-8 "
            "(a character cut short?); read as U+FFFD"
        )
    text = "\n".join(t or "" for t in texts)
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, detected, issues


def _is_utf8_prefix(sample: bytes, *, complete: bool) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(sample, final=complete)
    except UnicodeDecodeError:
        return False
    return True


def _nul_pattern(sample: bytes) -> str | None:
    """UTF-16 without BOM: NULs in (nearly) every even or every odd byte of mostly-ASCII text."""
    if b"\x00" not in sample[:4096]:
        return None
    probe = sample[: 4096 - (len(sample[:4096]) % 2)]
    if len(probe) < 4:
        return None
    even = probe[0::2].count(0) / (len(probe) / 2)
    odd = probe[1::2].count(0) / (len(probe) / 2)
    if odd > 0.6 and even < 0.1:
        return "utf-16-le"
    if even > 0.6 and odd < 0.1:
        return "utf-16-be"
    return None


def _cut_at_line(sample: bytes) -> bytes:
    """Cut a sample at its last newline so that no multi-byte character is split."""
    if len(sample) < SAMPLE_BYTES:
        return sample
    cut = sample.rfind(b"\n")
    return sample[: cut + 1] if cut > 0 else sample
