"""Safe parsing of user-supplied YAML/JSON/TOML settings files (policies, mappings, clauses).

``yaml.safe_load`` runs no code, but YAML aliases can still expand exponentially ("billion laughs"):
the loader here refuses documents whose alias expansion would exceed a fixed node budget.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from portcheck.errors import UsageError

MAX_NODES = 100_000
MAX_BYTES = 10 * 1024 * 1024


def _count_nodes(node: Any, budget: list[int], seen: dict[int, int]) -> int:
    import yaml

    key = id(node)
    if key in seen:  # an alias: its whole subtree is counted again, as expansion would copy it
        size = seen[key]
    else:
        size = 1
        if isinstance(node, yaml.SequenceNode):
            size += sum(_count_nodes(n, budget, seen) for n in node.value)
        elif isinstance(node, yaml.MappingNode):
            size += sum(_count_nodes(k, budget, seen) + _count_nodes(v, budget, seen) for k, v in node.value)
        seen[key] = size
    budget[0] += size
    if budget[0] > MAX_NODES:
        raise OverflowError
    return size


def load_yaml_text(text: str, source: str) -> Any:
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        if node is not None:
            _count_nodes(node, [0], {})
        return yaml.safe_load(text)
    except OverflowError:
        raise UsageError(f"{source} expands to more than {MAX_NODES:,} values (YAML aliases)",
                         hint="write the values out instead of repeating them through aliases") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise UsageError(f"{source} is not valid YAML{where}: {problem}",
                         hint="check the indentation and quoting around that line") from None


def load_yaml_file(path: str | Path) -> Any:
    """Read a YAML (or JSON, or TOML by extension) settings file, refusing huge or exploding documents."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise UsageError(f"{p} cannot be read ({e.strerror})", hint="check the path") from e
    if len(data) > MAX_BYTES:
        raise UsageError(f"{p} is larger than {MAX_BYTES // (1024 * 1024)} MB", hint="a settings file is small")
    text = data.decode("utf-8-sig", errors="replace")
    if p.suffix.lower() == ".toml":
        import tomllib

        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            raise UsageError(f"{p} is not valid TOML: {e}", hint="check the line it names") from None
    if p.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as e:
            raise UsageError(f"{p} is not valid JSON at line {e.lineno}: {e.msg}", hint="check that line") from None
    return load_yaml_text(text, str(p))
