"""The single-export checks, run together: ``run_checks(dataset, policy) -> {object: ObjectFindings}``.

Pure: no printing, no files. The caller writes ``gx-<object>.json`` (through :func:`mask_gx_result`),
``duplicates-<object>.csv`` and ``orphans-<object>.csv`` from what is returned, and folds the checks into
report.json. Uniqueness and completeness are not judged here (they need the reference pairing); the
figures they need are returned.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from portcheck.checks.interface import Check, ObjectFindings
from portcheck.checks.validity import mask_gx_result  # re-exported for the writer
from portcheck.policy import INFORMATIONAL, passes_at_most, rate

if TYPE_CHECKING:  # pragma: no cover
    from portcheck.canonical import CanonicalDataset, CanonicalTable
    from portcheck.policy import Policy

__all__ = ["Background", "run_checks", "run_checks_alongside", "check_object", "mask_gx_result"]


def run_checks(dataset: CanonicalDataset, policy: Policy, *, engine: str = "fast", fuzzy: bool = True,
               fuzzy_rules: dict[str, dict[str, Any]] | None = None,
               progress: Callable[[str], None] | None = None) -> dict[str, ObjectFindings]:
    """Every check that needs no reference, for each object the export holds (absent objects are left out).

    ``engine`` is ``fast`` (pyarrow, the default) or ``gx`` (Great Expectations itself); ``fuzzy=False``
    skips fuzzy duplicate detection; ``fuzzy_rules`` overrides :data:`portcheck.checks.fuzzy.DEFAULT_RULES`
    per object (partial dicts). ``progress`` is called with the name of each phase as it starts (each phase
    runs over every object: exact duplicates, fuzzy duplicates, orphans, validity).
    """
    return run_checks_alongside(dataset, policy, engine=engine, fuzzy=fuzzy, fuzzy_rules=fuzzy_rules,
                                progress=progress)[0]


def run_checks_alongside(dataset: CanonicalDataset, policy: Policy, *, engine: str = "fast",
                         fuzzy: bool = True, fuzzy_rules: dict[str, dict[str, Any]] | None = None,
                         progress: Callable[[str], None] | None = None,
                         alongside: Callable[[], Any] | None = None,
                         then: Callable[[], None] | None = None) -> tuple[dict[str, ObjectFindings], Any]:
    """:func:`run_checks`, and the result of ``alongside()`` (None when not given).

    ``then`` runs on the second thread when its share of the work is done, while this one may still be
    finishing its own (the run prepares the report's template there).

    ``alongside`` is work for the second core (the run passes the comparison): fuzzy duplicate detection,
    the longest check, runs on this thread while ``alongside`` and then the other checks run on a second
    one (pyarrow and numpy release the GIL). ``progress`` then names the fuzzy phase, and what remains after
    it as one phase. The findings are the same either way.
    """
    from portcheck.checks import rules
    from portcheck.schema import OBJECTS

    say = progress or (lambda _msg: None)
    present = [(obj, ct) for obj in OBJECTS if (ct := dataset.get(obj)) is not None]
    out: dict[str, ObjectFindings] = {obj: ObjectFindings(object=obj) for obj, _ in present}

    def run(phases: tuple[Any, ...], named: bool) -> None:
        for phase in phases:
            if phase is _fuzzy and not fuzzy:
                continue
            if named:
                say(_PHASE_NAMES[phase])
            for obj, ct in present:
                phase(out[obj], dataset, ct, policy, engine=engine, fuzzy_rules=(fuzzy_rules or {}).get(obj))

    try:
        if alongside is None:
            run(_PHASES, named=True)
            return out, None
        import threading

        # Validity goes to whichever thread is free first, column by column with the fast engine (object by
        # object with GX), largest tables first, so that what is left when fuzzy matching ends is small
        # enough to share out (the phone numbers validity needs are read by then: fuzzy matching reads
        # them first, the second thread the rest). Totals, duplicates and orphans stay on the second
        # thread, in their order.
        pending, pending_results = _validity_tasks(out, dataset, sorted(present, key=lambda p: -p[1].rows),
                                                   policy, engine)
        lock = threading.Lock()

        def drain_validity() -> None:
            while True:
                with lock:
                    if not pending:
                        return
                    task = pending.pop(0)
                task()

        def second() -> Any:
            if fuzzy:
                for task in _phone_prefetch(dataset, present, fuzzy_rules):
                    task()
            result = alongside()
            run((_structure, _integrity), named=False)
            drain_validity()
            if then is not None:
                then()
            return result

        later = Background(second)
        if fuzzy:
            run((_fuzzy,), named=True)
        say("checks: the others, and the comparison (rest)")
        drain_validity()
        result = later.result()
        for task in pending_results:
            task()
        return out, result
    finally:
        rules.forget_phone_numbers()


def _validity_tasks(out: dict[str, ObjectFindings], dataset: CanonicalDataset,
                    present: list[tuple[str, CanonicalTable]], policy: Policy,
                    engine: str) -> tuple[list[Callable[[], None]], list[Callable[[], None]]]:
    """(the validity work, as tasks any thread may run in any order; what then fills the findings)."""
    from portcheck.checks import validity
    from portcheck.checks.suite import build_suite

    tokens = tuple(dataset.null_tokens)
    if engine != "fast":
        return [lambda obj=obj, ct=ct: _validity(out[obj], dataset, ct, policy, engine=engine)
                for obj, ct in present], []
    tasks: list[Callable[[], None]] = []
    finish: list[Callable[[], None]] = []
    for obj, ct in present:
        suite = build_suite(ct.object, ct.columns)
        outcomes: list[tuple[int, dict[str, Any]]] = []
        tasks += [lambda work=work, outcomes=outcomes: outcomes.extend(work())
                  for work in validity.column_tasks(ct, suite, tokens)]

        def fill(obj: str = obj, ct: CanonicalTable = ct, suite: dict[str, Any] = suite,
                 outcomes: list[tuple[int, dict[str, Any]]] = outcomes) -> None:
            out[obj].gx_result, out[obj].validity_checks = validity.assemble(ct, suite, outcomes)
        finish.append(fill)
    return tasks, finish


class Background:
    """``fn()`` on a second thread (pyarrow and numpy release the GIL: the two use both cores).

    A daemon thread: when this one stops on an error or Ctrl-C, the process ends without waiting for it.
    """

    def __init__(self, fn: Callable[[], Any]) -> None:
        import threading

        self._result: Any = None
        self._error: BaseException | None = None

        def run() -> None:
            try:
                self._result = fn()
            except BaseException as e:  # handed to the thread that asks for the result
                self._error = e

        self._thread = threading.Thread(target=run, name="portcheck-background", daemon=True)
        self._thread.start()

    def result(self) -> Any:
        while self._thread.is_alive():
            self._thread.join(0.2)  # short waits: Ctrl-C is seen at once
        if self._error is not None:
            raise self._error
        return self._result


def _phone_prefetch(dataset: CanonicalDataset, present: list[tuple[str, CanonicalTable]],
                    fuzzy_rules: dict[str, dict[str, Any]] | None) -> list[Callable[[], Any]]:
    """Phone columns the second thread reads first, so that fuzzy matching (which needs every phone column
    of its field groups) does not read them all itself: the second and later fields of each phone group
    (``mobile`` for contacts). Validity reuses them too."""
    from portcheck.checks.fuzzy import rules_for
    from portcheck.checks.rules import phone_columns

    tokens = tuple(dataset.null_tokens)
    tasks: list[Callable[[], Any]] = []
    for obj, ct in present:
        rules = rules_for(obj, (fuzzy_rules or {}).get(obj))
        for g in (rules or {}).get("fields", []):
            if g["kind"] != "phone":
                continue
            for f in g["fields"][1:]:
                if f in ct.columns:
                    tasks.append(lambda ct=ct, f=f: phone_columns(ct.table, f, ct.region, tokens))
    return tasks


def check_object(dataset: CanonicalDataset, ct: CanonicalTable, policy: Policy, *, engine: str = "fast",
                 fuzzy: bool = True, fuzzy_rules: dict[str, Any] | None = None) -> ObjectFindings:
    f = ObjectFindings(object=ct.object)
    for phase in _PHASES:
        if phase is _fuzzy and not fuzzy:
            continue
        phase(f, dataset, ct, policy, engine=engine, fuzzy_rules=fuzzy_rules)
    return f


def _structure(f: ObjectFindings, dataset: CanonicalDataset, ct: CanonicalTable, policy: Policy,
               **_: Any) -> None:
    from portcheck.schema import load_schema

    obj = ct.object
    odef = load_schema()[obj]
    # required fields: each required canonical field must be present as a column
    f.missing_required = [r for r in odef.required if r not in ct.columns]
    present = len(odef.required) - len(f.missing_required)
    f.checks.append(Check(
        id=f"{obj}.required_fields", status="fail" if f.missing_required else "pass", gating=True,
        observed=rate(present, len(odef.required)), threshold=1.0,
        message=(f"required field(s) not mapped: {', '.join(f.missing_required)}" if f.missing_required
                 else f"all {len(odef.required)} required fields are mapped")))

    # declared totals
    f.declared_total = dict(ct.declared) if ct.declared else None
    f.repeated_across_pages = int(ct.repeated_across_pages or 0)
    f.checks.append(_declared_check(obj, ct))
    if f.repeated_across_pages:
        f.notes.append(f"{f.repeated_across_pages} record(s) appear on more than one API page "
                       "(offset pagination drifted while the data changed)")

    # exact duplicates
    from portcheck.checks import duplicates

    exact = duplicates.exact_duplicates(ct.table, odef.primary_key, tuple(dataset.null_tokens))
    f.duplicate_keys, f.duplicate_rows, f.duplicate_key_values = exact.keys, exact.rows, exact.key_values


def _fuzzy(f: ObjectFindings, dataset: CanonicalDataset, ct: CanonicalTable, policy: Policy, *,
           fuzzy_rules: dict[str, Any] | None = None, **_: Any) -> None:
    from portcheck.checks.fuzzy import find_clusters, rules_for

    rules = rules_for(ct.object, fuzzy_rules)
    if rules is not None:
        f.fuzzy = find_clusters(ct, rules, tuple(dataset.null_tokens))
        f.fuzzy_records = sum(len(c.keys) - 1 for c in f.fuzzy)


def _integrity(f: ObjectFindings, dataset: CanonicalDataset, ct: CanonicalTable, policy: Policy,
               **_: Any) -> None:
    from portcheck.checks import integrity

    obj = ct.object
    threshold = policy.threshold(obj, "orphans")
    for fk in integrity.orphans(dataset, obj, tuple(dataset.null_tokens)):
        f.with_fk[fk.fk] = fk.with_fk
        f.orphans[fk.fk] = fk.orphans
        f.parent_absent[fk.fk] = fk.parent_absent
        f.orphan_rows.extend(fk.rows)
        f.checks.append(_orphan_check(obj, fk, threshold))


def _validity(f: ObjectFindings, dataset: CanonicalDataset, ct: CanonicalTable, policy: Policy, *,
              engine: str = "fast", **_: Any) -> None:
    from portcheck.checks import validity

    f.gx_result, f.validity_checks = validity.validate(ct, engine=engine,
                                                       null_tokens=tuple(dataset.null_tokens))


_PHASES = (_structure, _fuzzy, _integrity, _validity)
_PHASE_NAMES = {_structure: "checks: totals, exact duplicates", _fuzzy: "checks: fuzzy duplicates",
                _integrity: "checks: orphans", _validity: "checks: validity"}


def _declared_check(obj: str, ct: CanonicalTable) -> Check:
    cid = f"{obj}.declared_total"
    declared = (ct.declared or {}).get("declared")
    repeated = int(ct.repeated_across_pages or 0)
    if declared is None:
        message = "the export declares no total for this object"
        if repeated:
            message += f"; {repeated} record(s) appear on more than one API page"
            return Check(cid, "fail", True, None, None, message)
        return Check(cid, "not_assessed", True, None, None, message)
    read = int((ct.declared or {}).get("read", ct.rows))
    ok = read == declared and not repeated
    message = f"{read} records read, {declared} declared"
    if repeated:
        message += f"; {repeated} record(s) appear on more than one API page (pagination drifted)"
    return Check(cid, "pass" if ok else "fail", True, rate(read, declared), 1.0, message)


def _orphan_check(obj: str, fk: Any, threshold: float | str) -> Check:
    cid = f"{obj}.orphans.{fk.fk}"
    gating = threshold != INFORMATIONAL
    shown = None if threshold == INFORMATIONAL else float(threshold)
    if fk.parent_absent:
        return Check(cid, "not_assessed", gating, None, shown,
                     f"the export holds no {fk.parent} records to check {fk.fk} against")
    if fk.with_fk == 0:
        why = "the export does not carry this field" if fk.field_absent else "no record has a value"
        return Check(cid, "not_assessed", gating, None, shown, f"{fk.fk}: {why}")
    observed = rate(fk.orphans, fk.with_fk)
    message = f"{fk.orphans} of {fk.with_fk} records name a {fk.parent} the export does not hold"
    if not gating:
        return Check(cid, "pass" if fk.orphans == 0 else "warn", False, observed, None, message)
    ok = passes_at_most(fk.orphans, fk.with_fk, float(threshold))
    return Check(cid, "pass" if ok else "fail", True, observed, shown, message)
