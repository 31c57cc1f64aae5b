"""Fuzzy duplicates: distinct keys that are the same customer or contact.

Near-linear: records are *blocked* (only records sharing a block key are compared: the same normalised
phone, email, tax ID, name …), and inside each block only neighbours within a sliding ``window`` (sorted by
normalised name) are compared, so a block of 10,000 "王伟" costs 10,000 × window comparisons, not 50
million. Candidate pairs are scored vectorised (rapidfuzz ``cpdist``), matched pairs are joined into
clusters (union-find).

Rules are a dict per object (``DEFAULT_RULES``; pass ``rules={"contact": {...}}`` to override keys)::

    {
      "name": "name",                # the field holding the entity's name
      "name_kind": "company",        # company | person: how names are normalised (see normalize.py)
      "name_threshold": 0.9,         # normalised-name similarity (0..1) a match needs
      "name_scorer": "levenshtein",  # levenshtein | indel | token_sort | best (default by name_kind)
      "exact_name_alone": True,      # company only: identical normalised names suffice (no other evidence)
      "min_name_length": 4,          #   ... when the normalised name has at least this many characters
      "min_agree": 1,                # otherwise: corroborating field groups that must agree (never < 1)
      "min_agree_without_name": None,  # optional: this many agreeing groups suffice even when names differ
      "outvote": True,               # agreeing groups must outnumber groups whose two values differ
      "fields": [                    # field groups; "fields" are compared crosswise (phone vs mobile)
        {"name": "phone", "fields": ["phone"], "kind": "phone"},
        {"name": "tax_id", "fields": ["tax_id"], "kind": "id", "veto": True},
        {"name": "country", "fields": ["country"], "kind": "country", "corroborates": False, "veto": True},
      ],
      "block_on": ["name", "phone", "email", "tax_id"],  # group names, "name", "name_prefix:N", "name_tokens"
      "window": 30,                  # neighbours compared inside one block
      "traditional_to_simplified": True,
    }

Field kinds: ``phone`` (E.164), ``email``, ``domain``, ``id`` (letters and digits; a ``threshold`` below 1
accepts typos by Levenshtein similarity), ``exact`` (normalised text equal), ``text`` (rapidfuzz ratio ≥
``threshold``, default 0.85), ``country`` (ISO alpha-2 or a common name). A group *agrees* when both
records have a value and the similarity reaches its threshold; a ``veto`` group whose values both exist
and differ keeps two records apart whatever else agrees (two companies with different tax IDs are two
companies). With ``outvote`` (the default), more groups must agree than contradict (both values present
and different): identical company names merge unless contradicted more than corroborated, and two
namesakes sharing a switchboard number but not their email stay apart. Digits in names must be equal
(``…有限公司12`` is not ``…有限公司13``). A person's name is never enough on its own: ``王伟`` at two
companies, with nothing else in common, stays two people.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from portcheck.checks.interface import FuzzyCluster
from portcheck.errors import UsageError

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pyarrow as pa

    from portcheck.canonical import CanonicalTable

DEFAULT_RULES: dict[str, dict[str, Any]] = {
    "customer": {
        "name": "name",
        "name_kind": "company",
        "name_threshold": 0.9,
        "exact_name_alone": True,
        "min_name_length": 4,
        "min_agree": 1,
        "fields": [
            {"name": "tax_id", "fields": ["tax_id"], "kind": "id", "veto": True},
            {"name": "phone", "fields": ["phone"], "kind": "phone"},
            {"name": "email", "fields": ["email"], "kind": "email"},
            {"name": "website", "fields": ["website"], "kind": "domain"},
            {"name": "address", "fields": ["address"], "kind": "text", "threshold": 0.9},
            {"name": "country", "fields": ["country"], "kind": "country", "corroborates": False,
             "veto": True},
        ],
        "block_on": ["name", "tax_id", "phone", "email", "website"],
        "window": 30,
        "traditional_to_simplified": True,
    },
    "contact": {
        "name": "full_name",
        "name_kind": "person",
        "name_threshold": 0.9,
        "exact_name_alone": False,
        "min_agree": 1,
        "fields": [
            {"name": "email", "fields": ["email"], "kind": "email"},
            {"name": "phone", "fields": ["phone", "mobile"], "kind": "phone"},
        ],
        "block_on": ["email", "phone", "name"],
        "window": 30,
        "traditional_to_simplified": True,
    },
}

_KINDS = ("phone", "email", "domain", "id", "exact", "text", "country")
_SCORERS = ("levenshtein", "indel", "token_sort", "best")
# Company names: Levenshtein, so an appended qualifier ("United Oil & Gas" / "United Oil & Gas, UK") stays
# apart while a one-letter typo in a long name does not; person names: the better of Indel and token-sort
# (a swapped given name and surname still compares equal).
_DEFAULT_SCORER = {"company": "levenshtein", "person": "best"}
_DEFAULT_THRESHOLD = {"text": 0.85}


def rules_for(obj: str, overrides: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The rules for one object: DEFAULT_RULES[obj] with ``overrides`` (a partial dict) applied."""
    base = copy.deepcopy(DEFAULT_RULES.get(obj))
    if overrides:
        base = {**(base or {}), **copy.deepcopy(overrides)}
    if base is None:
        return None
    _check_rules(obj, base)
    return base


def _check_rules(obj: str, r: dict[str, Any]) -> None:
    hint = "see portcheck.checks.fuzzy for the rule format"
    if r.get("name_kind") not in ("company", "person"):
        raise UsageError(f"fuzzy rules for {obj}: name_kind must be 'company' or 'person'", hint=hint)
    if r.get("name_kind") == "person" and r.get("exact_name_alone"):
        raise UsageError(f"fuzzy rules for {obj}: a person's name alone can never merge two records",
                         hint="set exact_name_alone to false for person names")
    without = r.get("min_agree_without_name")
    if without is not None and int(without) < 2:
        raise UsageError(f"fuzzy rules for {obj}: min_agree_without_name must be at least 2", hint=hint)
    if r.get("name_scorer") is not None and r["name_scorer"] not in _SCORERS:
        raise UsageError(f"fuzzy rules for {obj}: name_scorer must be one of {', '.join(_SCORERS)}",
                         hint=hint)
    if int(r.get("min_agree", 1)) < 1:
        raise UsageError(f"fuzzy rules for {obj}: min_agree must be at least 1 (a name alone never merges)",
                         hint=hint)
    for g in r.get("fields", []):
        if g.get("kind") not in _KINDS or not g.get("fields") or not g.get("name"):
            raise UsageError(f"fuzzy rules for {obj}: field group {g!r} needs a name, fields and a kind",
                             hint=f"kinds: {', '.join(_KINDS)}")


def find_clusters(ct: CanonicalTable, rules: dict[str, Any] | None = None,
                  null_tokens: tuple[str, ...] = ()) -> list[FuzzyCluster]:
    """Clusters of distinct keys judged one entity; each key's first row stands for it."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from portcheck.checks._arrow import clean_column, repeats
    from portcheck.checks.rules import phone_columns
    from portcheck.schema import load_schema

    rules = rules if rules is not None else rules_for(ct.object)
    if rules is None or ct.rows < 2 or rules["name"] not in ct.columns:
        return []
    pk = load_schema()[ct.object].primary_key
    keys = clean_column(ct.table, pk, null_tokens)
    rep = repeats(keys)
    # each distinct key's first row: every row with a key but the later ones of a repeated key
    later = np.zeros(ct.rows, bool)
    later[rep.rows[~rep.first]] = True
    first_rows = np.flatnonzero(pc.is_valid(keys).to_numpy(zero_copy_only=False) & ~later)
    n = len(first_rows)
    if n < 2:
        return []
    # Each key's first row stands for it; columns are cleaned (and phones read) once per table, shared
    # with the other checks, then taken at those rows.
    whole = n == ct.rows
    rows = pa.array(first_rows)

    def at_rows(arr: pa.Array) -> pa.Array:
        return arr if whole else arr.take(rows)

    def col(name: str) -> pa.Array:
        return at_rows(clean_column(ct.table, name, null_tokens))

    def phone_key(name: str) -> pa.Array:
        return at_rows(phone_columns(ct.table, name, ct.region, null_tokens)[1])

    record_keys = at_rows(keys)
    prepared = _prepare(None, col, rules, ct.region, phone_key)
    left, right = _candidate_pairs(prepared, rules, n)
    if len(left) == 0:
        return []
    matched, name_sim, agreed = _score(prepared, rules, left, right)
    return _clusters(left[matched], right[matched], name_sim[matched],
                     [(g, a[matched]) for g, a in agreed], record_keys)


def _prepare(table: pa.Table | None, col: Any, rules: dict[str, Any], region: str | None,
             phone_key: Any = None) -> dict[str, Any]:
    """Normalised names and field-group values of every record (``col(name)``: a cleaned column;
    ``phone_key(name)``: its phone keys, when the caller has them already)."""
    import pyarrow.compute as pc

    from portcheck.checks import normalize as nz
    from portcheck.checks._arrow import map_distinct
    from portcheck.checks.rules import phone_regions, region_of

    t2s = bool(rules.get("traditional_to_simplified", True))
    raw_name = col(rules["name"])
    if rules["name_kind"] == "company":
        name = nz.company_key(raw_name, t2s=t2s)
    else:
        name = nz.person_key(raw_name, t2s=t2s)
    regions = None
    groups: dict[str, list[pa.Array]] = {}
    for g in rules.get("fields", []):
        arrays = []
        for f in g["fields"]:
            kind = g["kind"]
            if kind == "phone" and phone_key is not None:
                arrays.append(phone_key(f))
                continue
            v = col(f)
            if kind == "phone":
                if regions is None:
                    regions = phone_regions(col("country"), region)
                arrays.append(nz.phone_key(v, regions))
            elif kind == "email":
                arrays.append(nz.email_key(v))
            elif kind == "domain":
                arrays.append(nz.domain_key(v))
            elif kind == "id":
                arrays.append(nz.id_key(v))
            elif kind == "country":
                arrays.append(map_distinct(v, lambda x: region_of(x) or x.strip().casefold()))
            elif kind == "exact":
                arrays.append(nz.id_key(nz.text_key(v, t2s=t2s)))
            else:
                arrays.append(nz.text_key(v, t2s=t2s))
        groups[g["name"]] = arrays
    blocked = set(rules.get("block_on", ()))
    return {
        # the groups compared by equality or blocked on: hashed together when first needed
        "hashed": [g["name"] for g in rules.get("fields", [])
                   if g["kind"] in _EQUALITY_KINDS or g["name"] in blocked],
        "name": name,
        "name_len": pc.fill_null(pc.utf8_length(name), 0).to_numpy(),
        "digits": nz.digits_of(name),
        "groups": groups,
    }


def _strings_at(arr: pa.Array, rows: np.ndarray) -> np.ndarray:
    """The values at ``rows`` as a numpy array of str, '' for nulls (what rapidfuzz's scorers take)."""
    import pyarrow as pa

    from portcheck.checks._arrow import to_numpy_str

    return to_numpy_str(arr.take(pa.array(rows, pa.int64())))


def _has_value(arr: pa.Array) -> np.ndarray:
    import numpy as np
    import pyarrow.compute as pc

    has = pc.fill_null(pc.not_equal(arr.cast("string"), ""), False)
    return np.asarray(has.to_numpy(zero_copy_only=False), bool)


def _group_hashes(prepared: dict[str, Any], group: str) -> list[tuple[np.ndarray, np.ndarray]]:
    """(hash, present) of each field of one group, present meaning non-null and non-empty. The first call
    hashes every group's fields in one pass; blocking and pair pruning share them."""
    from portcheck.checks._arrow import hashes

    cache = prepared.setdefault("hashes", {})
    if group not in cache:
        names = [g for g in prepared.get("hashed", ()) if g not in cache] or [group]
        if group not in names:
            names.append(group)
        arrays = [a for g in names for a in prepared["groups"][g]]
        flat = iter(zip(hashes(arrays), [_has_value(a) for a in arrays], strict=True))
        cache.update({g: [next(flat) for _ in prepared["groups"][g]] for g in names})
    return cache[group]


def _chunks(arr: pa.Array | pa.ChunkedArray) -> list[pa.Array]:
    import pyarrow as pa

    return arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]


def _shared_codes(values: pa.Array | pa.ChunkedArray,
                  hashed: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Exact integer codes (equal iff the values are equal) of the values that occur more than once:
    (their positions in ``values``, their codes, how many codes). A value that occurs once forms no block
    and is left out (:class:`~portcheck.checks._arrow.Repeats`, from the values' hashes)."""
    from portcheck.checks._arrow import Repeats

    found = Repeats(values, hashed)
    return found.rows, found.codes, len(found.values)


def _block_keys(prepared: dict[str, Any], spec: str) -> list[pa.Array]:
    """Per-record block key arrays for one ``block_on`` entry (null: the record is in no such block)."""
    import pyarrow.compute as pc

    name = prepared["name"]
    if spec == "name":
        return [name]
    if spec.startswith("name_prefix:"):
        return [pc.utf8_slice_codeunits(name, 0, int(spec.split(":", 1)[1]))]
    if spec == "name_tokens":
        return [name]  # handled in _candidate_pairs (one key per token)
    if spec in prepared["groups"]:
        return prepared["groups"][spec]
    raise UsageError(f"fuzzy rules: cannot block on '{spec}'",
                     hint="block on 'name', 'name_prefix:N', 'name_tokens' or a field group's name")


def _candidate_pairs(prepared: dict[str, Any], rules: dict[str, Any],
                     n: int) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of records (left < right) sharing a block within ``window`` neighbours (sorted by name),
    leaving out the pairs that cannot match whatever their names (see :func:`_could_match`)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from portcheck.checks._arrow import hashes

    none = (np.array([], np.int64), np.array([], np.int64))
    ids = np.arange(n, dtype=np.int64)
    rid_parts: list[np.ndarray] = []
    code_parts: list[np.ndarray] = []
    offset = 0
    name_codes, name_rank, name_dict_codes = _name_order(prepared["name"])
    redundant = _name_blocks_redundant(rules)
    for spec in rules.get("block_on", ["name"]):
        if redundant and (spec == "name" or spec.startswith("name_prefix:")):
            continue
        if spec in prepared["groups"] and not spec.startswith("name"):
            # One code space per block_on entry (its fields share it: phone and mobile block together).
            # the fields one after another, as they stand (Repeats leaves the nulls out)
            arrays = prepared["groups"][spec]
            values = pa.chunked_array([c for a in arrays for c in _chunks(a.cast(pa.string()))], pa.string())
            value_hashes = np.concatenate([h for h, _ in _group_hashes(prepared, spec)])
            rids = np.tile(ids, len(arrays))
            at, codes, count = _shared_codes(values, value_hashes)
            code_parts.append(codes + offset)
            rid_parts.append(rids[at])
            offset += count
            continue
        if spec == "name":
            # the names' own encoding (see _name_order): every record with a name
            has = pc.is_valid(prepared["name"]).to_numpy(zero_copy_only=False)
            code_parts.append(name_dict_codes[has] + offset)
            rid_parts.append(ids[has])
            offset += int(name_dict_codes.max(initial=-1)) + 1
            continue
        if spec == "name_tokens":
            tokens = pc.split_pattern(prepared["name"], " ")
            flat = pc.list_flatten(tokens)
            parents = pc.list_parent_indices(tokens).to_numpy()
            keep = pc.greater_equal(pc.utf8_length(flat), 2)
            values = pc.filter(flat, keep)
            rids = parents[keep.to_numpy(zero_copy_only=False)]
        else:
            arrays = _block_keys(prepared, spec)
            valid = [pc.is_valid(a) for a in arrays]
            values = pa.concat_arrays([pc.filter(a, v).cast(pa.string()) for a, v in zip(arrays, valid,
                                                                                             strict=True)])
            rids = np.concatenate([ids[v.to_numpy(zero_copy_only=False)] for v in valid])
        at, codes, count = _shared_codes(values, hashes([values])[0])
        code_parts.append(codes + offset)
        rid_parts.append(rids[at])
        offset += count
    if not rid_parts:
        return none
    code = np.concatenate(code_parts)
    rid = np.concatenate(rid_parts)
    del code_parts, rid_parts
    # Blocks of one record pair with nobody: drop them before sorting (most phone and email blocks).
    counts = np.bincount(code, minlength=offset)
    shared = counts[code] >= 2
    code, rid = code[shared], rid[shared]
    # Inside a block, records are ordered by name, then by reading order: one sort of (block, position).
    perm = _stable_order(name_rank)
    pos = np.empty(n, np.int64)
    pos[perm] = ids
    composite = np.sort(code * n + pos[rid])
    if len(composite) < 2:
        return none
    composite = composite[np.r_[True, composite[1:] != composite[:-1]]]  # a record in one block once
    c = composite // n
    r = perm[composite % n]
    starts = np.flatnonzero(np.r_[True, c[1:] != c[:-1]])
    sizes = np.diff(np.r_[starts, len(c)])
    multi = np.repeat(sizes >= 2, sizes)
    c, r = c[multi], r[multi]
    if len(c) < 2:
        return none
    could = _could_match(prepared, rules, r, name_codes)
    window = int(rules.get("window", 30))
    found = []
    for d in range(1, window + 1):
        same = c[d:] == c[:-d]
        if not same.any():
            break  # sorted by block: no pair at distance d means none further
        keep = same & could(d)
        a, b = r[:-d][keep], r[d:][keep]
        found.append(np.minimum(a, b).astype(np.int64) * n + np.maximum(a, b))
    if not found:
        return none
    pairs = np.sort(np.concatenate(found))
    if len(pairs) > 1:
        pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]]
    left, right = pairs // n, pairs % n
    keep = left != right
    return left[keep], right[keep]


def _stable_order(keys: np.ndarray) -> np.ndarray:
    """``np.lexsort((np.arange(n), keys))`` for non-negative integer keys below 2**32: positions by key,
    ties in position order. Radix sorts of 16-bit digits (numpy sorts 16-bit integers stably by radix):
    one pass, or two from the low digit up; a million name ranks in 9 ms instead of 65."""
    import numpy as np

    if len(keys) and int(keys.max()) >= 1 << 32:  # pragma: no cover - ranks of at most 2**32 names
        return np.lexsort((np.arange(len(keys)), keys))
    order = np.argsort((keys & 0xFFFF).astype(np.uint16), kind="stable")
    if len(keys) and int(keys.max()) >= 1 << 16:
        order = order[np.argsort((keys[order] >> 16).astype(np.uint16), kind="stable")]
    return order


def _name_blocks_redundant(rules: dict[str, Any]) -> bool:
    """Whether the ``name`` and ``name_prefix:N`` blocks can add no matched pair to the other blocks' (the
    default contact rules: a person's name never matches alone, and e-mail and phone, which must
    corroborate it, are blocked on). They are then not built: for 1M contacts the name blocks hold every
    record, and cost a third of fuzzy matching.

    When every way to match needs a corroborating field group to agree (no company name alone), and every
    group that can agree does so only by equal values and is blocked on, two records that match share a
    value, so a block of that value holds both. Inside every block, records stand in the same order: by
    name, then by reading order. Between two records of one name block (or of one name prefix) stand all
    the records whose name sorts between theirs (those share the name, or the prefix), so no fewer than
    between them in the shared value's block: a pair within ``window`` in the first is within it in the
    second. Name-token blocks are not ordered so, and are kept."""
    if rules["name_kind"] == "company" and rules.get("exact_name_alone"):
        return False
    blocked = {b for b in rules.get("block_on", ["name"]) if b not in ("name", "name_tokens")
               and not b.startswith("name_prefix:")}
    for g in rules.get("fields", []):
        threshold = float(g.get("threshold", _DEFAULT_THRESHOLD.get(g["kind"], 1.0)))
        if not g.get("corroborates", True) or threshold > 1:
            continue  # never agrees
        equality = g["kind"] in _EQUALITY_KINDS and 0 < threshold and (g["kind"] != "id" or threshold >= 1)
        if not equality or g["name"] not in blocked:
            return False
    return True


def _name_order(name: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(code of each normalised name, -1 when none or empty; its dense rank in ascending order, '' for
    none; the code of each name in one dictionary, a null name coded as '')."""
    import numpy as np
    import pyarrow.compute as pc

    enc = pc.dictionary_encode(pc.fill_null(name, ""))
    idx = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    rank = pc.rank(enc.dictionary, sort_keys="ascending", tiebreaker="dense").to_numpy()
    empty = pc.equal(enc.dictionary, "").to_numpy(zero_copy_only=False)
    codes = np.where(empty[idx], -1, idx) if len(idx) else idx
    return codes, rank[idx] if len(idx) else idx, idx


_EQUALITY_KINDS = ("phone", "email", "domain", "id", "exact", "country")


def _could_match(prepared: dict[str, Any], rules: dict[str, Any], r: np.ndarray,
                 name_codes: np.ndarray) -> Any:
    """For records ``r`` in block order, a function of the distance ``d`` giving, for each neighbour pair
    (``r[i]``, ``r[i + d]``), False when the pair cannot match whatever its names: a veto field whose
    values differ, or fewer possibly-agreeing field groups than any rule needs (and, for company names,
    different names). It only rules out pairs :func:`_score` would reject; it decides nothing else.
    Field groups compared by equality are compared here through 64-bit hashes, without touching strings.
    """
    import numpy as np

    need = max(1, int(rules.get("min_agree", 1)))
    if rules.get("min_agree_without_name") is not None:
        need = min(need, int(rules["min_agree_without_name"]))
    exact_alone = rules["name_kind"] == "company" and bool(rules.get("exact_name_alone"))
    names_sorted = name_codes[r]
    groups = []
    span = len(r) + 64
    for g in rules.get("fields", []):
        kind = g["kind"]
        threshold = float(g.get("threshold", _DEFAULT_THRESHOLD.get(kind, 1.0)))
        equality = kind in _EQUALITY_KINDS and 0 < threshold <= 1 and (kind != "id" or threshold >= 1)
        if equality:
            hashed = _group_hashes(prepared, g["name"])
            present = np.zeros(len(r), bool)
            keys = []
            for k, (h, has) in enumerate(hashed):
                at = has[r]
                present |= at
                # an absent value gets a number of its own (row and field), so that equal keys mean two
                # values with equal hashes; a sentinel meeting a real hash only keeps a pair for _score
                keys.append(np.where(at, h[r], np.int64(-(1 << 62)) - (k * span + np.arange(len(r)))))
        else:  # a similarity decides: only whether there is a value matters here
            keys = []
            present = np.zeros(len(r), bool)
            for a in prepared["groups"][g["name"]]:
                present |= _has_value(a)[r]
        groups.append((keys, present, equality, bool(g.get("veto")), bool(g.get("corroborates", True))))

    def could(d: int) -> np.ndarray:
        m = len(r) - d
        agree = np.zeros(m, np.int64)
        veto = np.zeros(m, bool)
        for keys, has, equality, is_veto, corroborates in groups:
            present = has[:-d] & has[d:]
            if equality:
                # equal hashes of present values: equal values, or (rarely) a collision, which only keeps
                # the pair for _score to judge
                ok = np.zeros(m, bool)
                for ka in keys:
                    for kb in keys:
                        ok |= ka[:-d] == kb[d:]
                if is_veto:
                    veto |= present & ~ok
                if corroborates:
                    agree += ok
            elif corroborates:
                agree += present  # a similarity decides: it may agree
        out = ~veto & (agree >= need)
        if exact_alone:
            out |= ~veto & (names_sorted[:-d] == names_sorted[d:]) & (names_sorted[:-d] >= 0)
        return out

    return could


def _pair_sim(a: np.ndarray, b: np.ndarray, kind: str) -> np.ndarray:
    import numpy as np
    from rapidfuzz import distance, fuzz, process

    if kind == "text":
        return process.cpdist(a, b, scorer=fuzz.ratio, workers=1) / 100.0
    if kind == "id":
        return process.cpdist(a, b, scorer=distance.Levenshtein.normalized_similarity, workers=1)
    return (a == b).astype(np.float64)


def _name_sim(a: np.ndarray, b: np.ndarray, scorer: str) -> np.ndarray:
    import numpy as np
    from rapidfuzz import distance, fuzz, process

    if scorer == "levenshtein":
        return process.cpdist(a, b, scorer=distance.Levenshtein.normalized_similarity, workers=1)
    indel = process.cpdist(a, b, scorer=fuzz.ratio, workers=1) / 100.0
    if scorer == "indel":
        return indel
    tokens = process.cpdist(a, b, scorer=fuzz.token_sort_ratio, workers=1) / 100.0
    return tokens if scorer == "token_sort" else np.maximum(indel, tokens)


def _score(prepared: dict[str, Any], rules: dict[str, Any], left: np.ndarray,
           right: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[tuple[str, np.ndarray]]]:
    import numpy as np

    nl, nr = _strings_at(prepared["name"], left), _strings_at(prepared["name"], right)
    has_name = (nl != "") & (nr != "")
    sim = _name_sim(nl, nr, rules.get("name_scorer") or _DEFAULT_SCORER[rules["name_kind"]])
    digits = prepared["digits"]
    name_ok = (has_name & (sim >= float(rules.get("name_threshold", 0.9)))
               & (_strings_at(digits, left) == _strings_at(digits, right)))

    agree_count = np.zeros(len(left), np.int64)
    disagree_count = np.zeros(len(left), np.int64)
    veto = np.zeros(len(left), bool)
    agreed: list[tuple[str, np.ndarray]] = []
    for g in rules.get("fields", []):
        arrays = prepared["groups"][g["name"]]
        kind = g["kind"]
        threshold = float(g.get("threshold", _DEFAULT_THRESHOLD.get(kind, 1.0)))
        best = np.zeros(len(left))
        present = np.zeros(len(left), bool)
        lefts = [_strings_at(fa, left) for fa in arrays]
        rights = [_strings_at(fb, right) for fb in arrays]
        for a in lefts:
            for b in rights:
                both = (a != "") & (b != "")
                if not both.any():
                    continue
                s = np.where(both, _pair_sim(a, b, kind), 0.0)
                best = np.maximum(best, s)
                present |= both
        ok = present & (best >= threshold)
        if g.get("veto"):
            veto |= present & ~ok
        if g.get("corroborates", True):
            agree_count += ok
            disagree_count += present & ~ok
            agreed.append((g["name"], ok))

    # more corroborating groups must agree than contradict (two namesakes at one company share the
    # switchboard number but not their email or mobile)
    outvoted = (disagree_count >= agree_count) if rules.get("outvote", True) else np.zeros(len(left), bool)
    enough = agree_count >= max(1, int(rules.get("min_agree", 1)))
    matched = name_ok & ~veto & ~outvoted & enough
    without_name = rules.get("min_agree_without_name")
    if without_name is not None:
        matched |= has_name & ~veto & ~outvoted & (agree_count >= int(without_name))
    if rules["name_kind"] == "company" and rules.get("exact_name_alone"):
        # identical normalised company names: enough unless other fields contradict more than they agree
        long_enough = prepared["name_len"][left] >= int(rules.get("min_name_length", 4))
        exact = has_name & (nl == nr) & long_enough
        matched |= exact & ~veto & (agree_count >= disagree_count)
    return matched, sim, agreed


def _clusters(left: np.ndarray, right: np.ndarray, sim: np.ndarray, agreed: list[tuple[str, np.ndarray]],
              record_keys: pa.Array) -> list[FuzzyCluster]:
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    members: dict[int, list[int]] = {}
    for x in list(parent):
        members.setdefault(find(x), []).append(x)
    fields: dict[int, set[str]] = {}
    score: dict[int, float] = {}
    for i, a in enumerate(left.tolist()):
        root = find(a)
        got = fields.setdefault(root, {"name"})
        for gname, ok in agreed:
            if ok[i]:
                got.add(gname)
        score[root] = min(score.get(root, 1.0), float(sim[i]))
    order = ["name"] + [g for g, _ in agreed]
    import pyarrow as pa

    clustered = sorted(parent)
    names = dict(zip(clustered, record_keys.take(pa.array(clustered, pa.int64())).to_pylist(), strict=True))
    out = []
    for root in sorted(members):
        rows = sorted(members[root])
        out.append(FuzzyCluster(keys=[names[r] for r in rows],
                                matched_on=[f for f in order if f in fields[root]],
                                score=round(score[root], 5)))
    return out
