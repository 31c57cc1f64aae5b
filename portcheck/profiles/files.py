"""Reading profile and mapping files safely: YAML without aliases or implicit number/yes-no coercion, or TOML.

A mapping file is untrusted input. YAML is parsed with a loader that refuses aliases (the "billion laughs"
expansion needs them), caps the number of nodes, and resolves only ``null`` and ``true``/``false``: every
other scalar stays a string, so ``01``, ``Yes`` and ``1`` in a value map keep their exact spelling. Each
mapping produced remembers the line of each key, so validation errors can name it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from portcheck.errors import ProfileError

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_NODES = 200_000

HINT = "fix the file and run again; `portcheck profiles show canonical` shows a complete example"


class LineDict(dict):
    """A dict that remembers the 1-based line of each key (``lines``) and its own line (``line``)."""

    lines: dict[Any, int]
    line: int | None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines = {}
        self.line = None


def line_of(mapping: Any, key: Any) -> int | None:
    if isinstance(mapping, LineDict):
        return mapping.lines.get(key, mapping.line)
    return None


def _make_loader():  # built lazily so that importing this module does not import yaml
    import yaml
    from yaml.composer import Composer
    from yaml.constructor import SafeConstructor
    from yaml.events import AliasEvent
    from yaml.nodes import MappingNode
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.resolver import BaseResolver
    from yaml.scanner import Scanner

    class _Resolver(BaseResolver):
        pass

    _Resolver.add_implicit_resolver(
        "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
    _Resolver.add_implicit_resolver(
        "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])

    class _Composer(Composer):
        nodes = 0

        def compose_node(self, parent, index):  # noqa: ANN001
            if self.check_event(AliasEvent):
                event = self.peek_event()
                raise ProfileError(
                    f"line {event.start_mark.line + 1}: YAML aliases (*{event.anchor}) are not allowed "
                    "in profile and mapping files",
                    hint="write the values out in full; aliases can expand a small file into gigabytes")
            self.nodes += 1
            if self.nodes > MAX_NODES:
                event = self.peek_event()
                raise ProfileError(f"line {event.start_mark.line + 1}: the file has more than {MAX_NODES} "
                                   "YAML nodes", hint="a mapping file is a few hundred lines at most")
            return super().compose_node(parent, index)

    class _Constructor(SafeConstructor):
        def construct_yaml_map(self, node):  # noqa: ANN001
            data = LineDict()
            data.line = node.start_mark.line + 1
            yield data
            value = self.construct_mapping(node)
            data.update(value)
            for key_node, _ in node.value:
                key = self.construct_object(key_node)
                try:
                    data.lines[key] = key_node.start_mark.line + 1
                except TypeError:
                    pass

        def construct_mapping(self, node, deep=False):  # noqa: ANN001
            if isinstance(node, MappingNode):
                self.flatten_mapping(node)
            return super().construct_mapping(node, deep=True)

    _Constructor.add_constructor("tag:yaml.org,2002:map", _Constructor.construct_yaml_map)

    class Loader(Reader, Scanner, Parser, _Composer, _Constructor, _Resolver):
        def __init__(self, stream):  # noqa: ANN001
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            _Composer.__init__(self)
            _Constructor.__init__(self)
            _Resolver.__init__(self)

    return Loader, yaml


def parse_yaml_text(text: str, name: str) -> Any:
    loader_cls, yaml = _make_loader()
    loader = loader_cls(text)
    try:
        return loader.get_single_data()
    except ProfileError as e:
        raise ProfileError(f"{name}, {e.message}", hint=e.hint) from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f", line {mark.line + 1}" if mark is not None else ""
        problem = e.problem or e.context or "malformed YAML"
        raise ProfileError(f"{name}{where}: not valid YAML ({problem})", hint=HINT) from None
    except yaml.YAMLError as e:
        raise ProfileError(f"{name}: not valid YAML ({e})", hint=HINT) from None
    finally:
        loader.dispose()


def parse_toml_text(text: str, name: str) -> Any:
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        msg = str(e)
        m = re.search(r"\(at line (\d+), column \d+\)", msg)
        where = f", line {m.group(1)}" if m else ""
        problem = re.sub(r"\s*\(at line \d+, column \d+\)", "", msg) or "malformed TOML"
        raise ProfileError(f"{name}{where}: not valid TOML ({problem})", hint=HINT) from None


def read_mapping_file(path: str | Path) -> tuple[Any, bytes, str]:
    """Read a YAML or TOML profile/mapping file. Returns (data, raw bytes, display name)."""
    p = Path(path)
    name = str(path)
    if not p.is_file():
        raise ProfileError(f"{name}: mapping file not found", hint="check the path given to --mapping")
    size = p.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ProfileError(f"{name}: the mapping file is {size} bytes, more than {MAX_FILE_BYTES}",
                           hint="a mapping file is a few hundred lines at most")
    raw = p.read_bytes()
    return parse_mapping_bytes(raw, name, toml=p.suffix.lower() == ".toml"), raw, name


def parse_mapping_bytes(raw: bytes, name: str, *, toml: bool = False) -> Any:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ProfileError(f"{name}: the mapping file is not UTF-8 text",
                           hint="save it as UTF-8 (any editor can)") from None
    data = parse_toml_text(text, name) if toml else parse_yaml_text(text, name)
    if data is None:
        data = LineDict()
    if not isinstance(data, dict):
        raise ProfileError(f"{name}: a mapping file must be a mapping of keys to values at the top level",
                           hint=HINT)
    return data
