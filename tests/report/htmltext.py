"""Helpers that read report.html the way a person does: its text nodes, with data values set apart."""

from __future__ import annotations

import re
from html.parser import HTMLParser

VOID = {"meta", "br", "img", "input", "link", "hr", "rect", "line", "path", "circle"}


class TextNodes(HTMLParser):
    """Collects (text, is_data) for every text node; is_data when inside an element with class "d"."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.nodes: list[tuple[str, bool]] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        inherited = self.stack[-1][1] if self.stack else False
        self.stack.append((tag, inherited or "d" in classes))
        if tag == "style":
            self.skip += 1

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        while self.stack:
            t, _ = self.stack.pop()
            if t == "style":
                self.skip -= 1
            if t == tag:
                break

    def handle_data(self, data):
        if self.skip or not data.strip():
            return
        self.nodes.append((data, self.stack[-1][1] if self.stack else False))


def text_nodes(html: str) -> list[tuple[str, bool]]:
    p = TextNodes()
    p.feed(html)
    p.close()
    return p.nodes


def words_outside_data(html: str) -> list[str]:
    """Latin words (2+ letters) in text that is not marked as data."""
    out = []
    for text, is_data in text_nodes(html):
        if not is_data:
            out += re.findall(r"[A-Za-z]{2,}", text)
    return out


def visible_text(html: str) -> str:
    return " ".join(t for t, _ in text_nodes(html))
