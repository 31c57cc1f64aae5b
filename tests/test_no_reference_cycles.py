"""Code on the hot path leaves no reference cycles: a cycle keeps what it reaches (a mapped input, every
frame of a stack and the columns they hold) alive until the garbage collector comes by. Two did, 0.7 GB
at the peak of a 1M-contact run with the collector off."""

from __future__ import annotations

import gc
import uuid

import pytest


@pytest.fixture
def garbage():
    """The objects found unreachable, kept (not freed) for inspection, by one collection after the test's
    body has run with the collector off."""
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    found: list = []
    try:
        yield lambda: (gc.collect(), found.extend(gc.garbage), found)[-1]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was_enabled:
            gc.enable()


def _names(objects: list) -> set[str]:
    out = set()
    for o in objects:
        if type(o).__name__ == "function":
            out.add(o.__qualname__)
        elif type(o).__name__ == "frame":
            out.add("frame " + o.f_code.co_name)
    return out


def test_reading_a_csv_file_leaves_no_cycle(tmp_path, garbage):
    from portcheck.readers import ReadOptions, read_export

    path = tmp_path / "contact.csv"
    path.write_text("id,name\n" + "".join(f"{i},王{i}\n" for i in range(2000)), encoding="utf-8")
    source = read_export(path, options=ReadOptions())
    assert source.tables[0].rows == 2000
    del source
    names = _names(garbage())
    assert not {n for n in names if n.startswith("_parse.")}, names


def test_a_number_phonenumbers_refuses_leaves_no_cycle(garbage):
    from portcheck.checks.rules import INVALID, phone_info

    def caller():
        big = bytearray(1 << 20)  # a local of a frame below the parse, like the columns of the checks
        # '+' and no such calling code: phonenumbers catches its own error and keeps it in a local
        return phone_info(f"CN\x1f+999 {uuid.uuid4().int % 10**9:09d}"), len(big)

    (flag, _), _ = caller()
    assert flag == INVALID
    names = _names(garbage())
    assert "frame caller" not in names and "frame phone_info" not in names, names
