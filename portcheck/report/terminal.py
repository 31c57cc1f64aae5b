"""The terminal summary (verdict, figures, failing checks, clauses, drill traps) and a progress line.

:func:`render_summary` returns plain text that fits ``width`` columns in either language (CJK characters
count as two columns). :func:`progress` draws a one-line progress bar on a stream only when that stream is a
terminal and the work has lasted longer than a second, so pipes, CI logs and quick runs stay clean.
"""

from __future__ import annotations

import shutil
import sys
import time
import unicodedata
from collections.abc import Iterable, Iterator
from typing import IO, Any, TypeVar

from portcheck.report import i18n
from portcheck.report.i18n import OBJECTS, check_lang, fmt_int, fmt_rate, t

MAX_FAILING = 12
MAX_WARNINGS = 5


# ---- display width (CJK characters take two columns) -------------------------------------------------------


def display_width(text: str) -> int:
    return sum(
        2 if unicodedata.east_asian_width(ch) in ("W", "F") else 0 if unicodedata.combining(ch) else 1
        for ch in text
    )


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - display_width(text))
    return gap + text if right else text + gap


def wrap(text: str, width: int, indent: str = "", first: str = "") -> list[str]:
    """Wrap by display width: at spaces for Latin text, anywhere between CJK characters."""
    lines: list[str] = []
    line = first
    prefix_w = display_width(indent)
    tokens = _tokens(text)
    for tok in tokens:
        if line.strip() and display_width(line) + display_width(tok) > width:
            lines.append(line.rstrip())
            line = indent
            if tok == " ":
                continue
        while display_width(tok) > width - prefix_w and len(tok) > 1:  # a token longer than a line: cut it
            room = width - display_width(line)
            cut = _cut(tok, max(room, 1))
            lines.append(line + tok[:cut])
            line, tok = indent, tok[cut:]
        line += tok
    if line.strip():
        lines.append(line.rstrip())
    return lines


_CLOSING = set("，。、：；）」』】！？》〉,.;:!?)]}%")
_OPENING = set("（「『【《〈([{")


def _tokens(text: str) -> list[str]:
    """Words, spaces and single CJK characters; punctuation stays with its neighbour (no line starts "，")."""
    raw = _split(text)
    out: list[str] = []
    carry = ""
    for tok in raw:
        if out and tok[0] in _CLOSING and out[-1] != " ":
            out[-1] += tok
        elif tok != " " and tok[-1] in _OPENING and display_width(tok) <= 2:
            carry += tok
        else:
            out.append(carry + tok if tok != " " else tok)
            if tok != " ":
                carry = ""
    if carry:
        out.append(carry)
    return out


def _split(text: str) -> list[str]:
    out: list[str] = []
    word = ""
    for ch in text:
        if ch == " ":
            if word:
                out.append(word)
            out.append(" ")
            word = ""
        elif unicodedata.east_asian_width(ch) in ("W", "F"):
            if word:
                out.append(word)
            out.append(ch)
            word = ""
        else:
            word += ch
    if word:
        out.append(word)
    return out


def _cut(text: str, width: int) -> int:
    w = 0
    for i, ch in enumerate(text):
        w += display_width(ch)
        if w > width:
            return max(i, 1)
    return len(text)


# ---- the summary ---------------------------------------------------------------------------------------


def render_summary(report: dict, *, lang: str = "en", width: int = 80) -> str:
    """The verdict, the key figures per object, the failing checks, the clauses and the drill traps."""
    check_lang(lang)
    width = max(width, 40)
    checks = [c for c in report.get("checks") or [] if isinstance(c, dict) and "id" in c]
    objects = report.get("objects") or {}
    exact = i18n.exact_rates(objects)
    verdict = str(report.get("verdict", "fail"))
    failing = [c for c in checks if c.get("gating") and c.get("status") == "fail"]
    warnings = [
        c for c in checks if c.get("status") == "warn" or (not c.get("gating") and c.get("status") == "fail")
    ]
    out: list[str] = []

    head = t("verdict_pass" if verdict == "pass" else "verdict_fail", lang)
    sentence = (
        t("verdict_pass_sentence", lang)
        if verdict == "pass"
        else t("verdict_fail_sentence", lang, n=fmt_int(len(failing)))
    )
    out += wrap(
        sentence, width, indent="  ", first=f"portcheck: {head}. " if lang == "en" else f"portcheck：{head}。"
    )
    clauses = [c for c in report.get("clauses") or [] if isinstance(c, dict)]
    if clauses:
        counts = {
            s: sum(1 for c in clauses if c.get("status") == s) for s in ("met", "not_met", "not_assessed")
        }
        out += wrap(
            t(
                "clause_summary",
                lang,
                met=counts["met"],
                not_met=counts["not_met"],
                not_assessed=counts["not_assessed"],
            ),
            width,
            indent="  ",
        )

    rows = [(i18n.object_label(o, lang), objects[o]) for o in OBJECTS if isinstance(objects.get(o), dict)]
    if rows:
        out.append("")
        out += _figures_table(rows, lang, width)

    if failing:
        out.append("")
        out.append(t("term_failing", lang, n=len(failing)))
        for c in failing[:MAX_FAILING]:
            out += _check_lines(c, lang, width, "✗", exact)
        if len(failing) > MAX_FAILING:
            out.append("  " + t("term_more", lang, n=fmt_int(len(failing) - MAX_FAILING)))
    if warnings:
        out.append("")
        out.append(t("term_warnings", lang, n=len(warnings)))
        for c in warnings[:MAX_WARNINGS]:
            out += _check_lines(c, lang, width, "!", exact)
        if len(warnings) > MAX_WARNINGS:
            out.append("  " + t("term_more", lang, n=fmt_int(len(warnings) - MAX_WARNINGS)))

    if clauses:
        out.append("")
        out.append(t("term_clauses", lang))
        for c in clauses:
            status = i18n.label_of(i18n.CLAUSE_STATUS_LABELS, str(c.get("status")), lang) or str(
                c.get("status")
            )
            text = (c.get("text_zh") if lang == "zh" and c.get("text_zh") else c.get("text")) or ""
            mark = {"met": "✓", "not_met": "✗"}.get(str(c.get("status")), "?")
            sep = "：" if lang == "zh" else ": "
            out += wrap(text, width, indent="      ", first=f"  {mark} [{status}] {c.get('id')}{sep}")

    traps = [tr for tr in report.get("traps") or [] if isinstance(tr, dict) and tr.get("lost")]
    if traps:
        out.append("")
        out.append(t("term_traps", lang))
        for tr in traps:
            label = (tr.get("label_zh") if lang == "zh" else tr.get("label")) or str(tr.get("trap"))
            line = t(
                "term_trap_line",
                lang,
                label=label,
                lost=fmt_int(tr.get("lost")),
                planted=fmt_int(tr.get("planted")),
            )
            out += wrap(line, width, indent="      ", first="  ✗ ")
    return "\n".join(out) + "\n"


def _figures_table(rows: list[tuple[str, dict]], lang: str, width: int) -> list[str]:
    heads = [
        t("col_object", lang),
        t("col_reference", lang),
        t("col_export", lang),
        t("col_matched", lang),
        t("col_completeness", lang),
        t("col_fidelity", lang),
    ]
    body = []
    for label, o in rows:
        rec = o.get("records") or {}
        fid = o.get("fidelity") or {}
        completeness = i18n.exact_rate(rec.get("matched"), rec.get("reference"))
        fidelity = i18n.exact_rate(fid.get("matched"), fid.get("compared"))
        body.append(
            [
                label,
                fmt_int(rec.get("reference")),
                fmt_int(rec.get("export")),
                fmt_int(rec.get("matched")),
                fmt_rate(completeness if completeness is not None else o.get("completeness")),
                fmt_rate(fidelity if fidelity is not None else fid.get("rate")),
            ]
        )
    widths = [max(display_width(r[i]) for r in [heads, *body]) for i in range(len(heads))]
    if (
        sum(widths) + 2 * (len(widths) - 1) > width
    ):  # too narrow: drop the matched column, then the reference one
        for drop in (3, 1):
            heads.pop(drop)
            widths.pop(drop)
            for r in body:
                r.pop(drop)
            if sum(widths) + 2 * (len(widths) - 1) <= width:
                break
    lines = []
    for r in [heads, *body]:
        cells = [_pad(r[0], widths[0])] + [
            _pad(c, w, right=True) for c, w in zip(r[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


def _check_lines(c: dict, lang: str, width: int, mark: str, exact: dict) -> list[str]:
    label = i18n.check_label(str(c["id"]), lang)
    obs, op, thr = i18n.check_figures(c, lang, exact.get(str(c["id"])))
    lines = wrap(label, width, indent="    ", first=f"  {mark} ")
    figures = t("term_observed", lang, observed=obs, op=op, threshold=thr) if thr != "—" else obs
    detail = f"{figures}  ({c['id']})" if label != c["id"] else figures
    lines += wrap(detail, width, indent="      ", first="    ")
    return lines


# ---- progress ------------------------------------------------------------------------------------------

T_ = TypeVar("T_")


class Progress:
    """A one-line progress bar on ``stream`` (default stderr), drawn only on a terminal after ``delay`` s."""

    def __init__(
        self,
        total: int | None,
        label: str,
        enabled: bool = True,
        *,
        stream: IO[str] | None = None,
        delay: float = 1.0,
        interval: float = 0.1,
    ) -> None:
        self.total = total
        self.label = label
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self.delay = delay
        self.interval = interval
        self.active = bool(enabled) and _isatty(self.stream)
        self.drawn = False
        self._start = time.monotonic()
        self._last = 0.0

    def __enter__(self) -> Progress:
        self._start = time.monotonic()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def advance(self, n: int = 1) -> None:
        self.done += n
        if not self.active:
            return
        now = time.monotonic()
        if now - self._start < self.delay or now - self._last < self.interval:
            return
        self._last = now
        self._draw()

    def _draw(self) -> None:
        cols = shutil.get_terminal_size((80, 24)).columns - 1
        if self.total:
            frac = min(self.done / self.total, 1.0)
            tail = f" {frac * 100:3.0f}% {fmt_int(self.done)}/{fmt_int(self.total)}"
        else:
            frac = None
            tail = f" {fmt_int(self.done)}"
        label = self.label
        bar_w = max(0, min(30, cols - display_width(label) - display_width(tail) - 3))
        bar = ""
        if frac is not None and bar_w >= 5:
            filled = int(frac * bar_w)
            bar = " [" + "#" * filled + "-" * (bar_w - filled) + "]"
        line = label + bar + tail
        if display_width(line) > cols:
            line = line[: _cut(line, cols)]
        self.stream.write("\r" + line + "\x1b[K")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.drawn = False


def progress(
    total: int | None, label: str, enabled: bool = True, *, stream: IO[str] | None = None, delay: float = 1.0
) -> Progress:
    """``with progress(n, "Reading contacts", enabled) as p: ... p.advance(k)`` — silent off a terminal."""
    return Progress(total, label, enabled, stream=stream, delay=delay)


def track(
    items: Iterable[T_],
    label: str,
    *,
    total: int | None = None,
    enabled: bool = True,
    stream: IO[str] | None = None,
    delay: float = 1.0,
) -> Iterator[T_]:
    """Iterate over ``items`` while advancing a progress line by one per item."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with Progress(total, label, enabled, stream=stream, delay=delay) as p:
        for item in items:
            yield item
            p.advance()


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
