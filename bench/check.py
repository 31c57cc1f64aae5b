"""End-to-end benchmark of `portcheck check` against its peers, measured in the same run.

    python bench/check.py                      # 1,000,000 contacts (200k customers, 300k opportunities)
    python bench/check.py --contacts 100000    # quicker
    python bench/check.py --scaling            # also 100k and 3M contacts: seconds per million rows

What it does (see bench/README.md for how to read it):
1. generates, seeded, a reference of N contacts with N/5 customers and 3N/10 opportunities (realistic widths,
   Chinese text, multi-line notes) and an export made from it with ~1% planted defects (the planted records
   come from portcheck's seeded defect planter, applied to a slice so that the rest stays byte-identical);
2. a second export in which every phone and date-time was re-formatted (format-only differences: matches);
3. times, on the same files: the floor (pyarrow.csv reads of all six files + a DuckDB SQL join comparing
   every column of all three pairs), datacompy.PandasCompare on the contacts pair (read with pandas, as its
   users do), and `portcheck check` end to end in a subprocess (wall time and peak RSS);
4. prints seconds, peak RSS, rows/s and the ratios portcheck/floor and portcheck/datacompy, with the load.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘")
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平"]
CITIES = [("广东省", "深圳", "0755"), ("北京市", "北京", "010"), ("上海市", "上海", "021"), ("浙江省", "杭州", "0571"),
          ("四川省", "成都", "028"), ("湖北省", "武汉", "027")]
WORDS = ["客户提到预算有限", "方案演示", "需求确认", "决策链复杂", "报价", "follow up next week",
         'said "maybe", call back', "价格, 交期, 付款方式", "line one\nline two", "Ünïcödé", "😀 emoji ok"]
STAGES = ["lead", "qualification", "needs_analysis", "proposal", "negotiation", "won", "lost"]
TITLES = ["总经理", "CTO", "采购经理", "Buyer", "IT Manager", "财务总监", ""]


def _pick(rng, options, n):
    return pa.array(np.asarray(options, dtype=object)[rng.integers(0, len(options), n)], pa.string())


def _ids(prefix, n):
    return pa.array([f"{prefix}{i:08d}" for i in range(n)], pa.string())


def _notes(rng, n, p_empty=0.2):
    k = rng.integers(1, 6, n)
    idx = rng.integers(0, len(WORDS), (n, 5))
    words = np.asarray(WORDS, dtype=object)
    out = ["；".join(words[idx[i, : k[i]]]) for i in range(n)]
    empty = rng.random(n) < p_empty
    return pa.array(["" if e else s for s, e in zip(out, empty)], pa.string())


def _instants(rng, n, start=1_640_995_200, span=3 * 365 * 86400):
    return start + rng.integers(0, span, n)


def _fmt_instants(epoch, offset_hours=8, utc=False):
    ts = pa.array(epoch * 1_000_000, pa.timestamp("us", tz="UTC"))
    if utc:
        return pc.strftime(ts, format="%Y-%m-%dT%H:%M:%SZ")
    local = pa.array((epoch + offset_hours * 3600) * 1_000_000, pa.timestamp("us"))
    return pc.binary_join_element_wise(pc.strftime(local, format="%Y-%m-%dT%H:%M:%S"), "+08:00", "")


def _phones(rng, n, area):
    return pc.binary_join_element_wise(area, pa.array(rng.integers(10_000_000, 99_999_999, n).astype(str)), "-")


def generate(n_contacts: int, seed: int) -> dict[str, pa.Table]:
    rng = np.random.default_rng(seed)
    n_cust, n_opp = n_contacts // 5, n_contacts * 3 // 10
    city_idx = rng.integers(0, len(CITIES), n_cust)
    regions = pa.array([CITIES[i][0] for i in city_idx], pa.string())
    cities = pa.array([CITIES[i][1] for i in city_idx], pa.string())
    areas = pa.array([CITIES[i][2] for i in city_idx], pa.string())
    cust_ids = _ids("C", n_cust)
    names = pc.binary_join_element_wise(_pick(rng, ["深圳华信", "杭州云图", "上海海纳", "北京联创", "成都青禾"], n_cust),
                                        _pick(rng, ["科技", "教育咨询", "医疗器械", "物流"], n_cust),
                                        _pick(rng, ["有限公司", "股份有限公司"], n_cust),
                                        pa.array(np.arange(n_cust).astype(str)), "")
    c_created = _instants(rng, n_cust)
    customer = pa.table({
        "customer_id": cust_ids, "name": names, "industry": _pick(rng, ["医疗", "教育", "金融", "Software", "Retail"], n_cust),
        "level": _pick(rng, ["A", "B", "C", "VIP"], n_cust), "status": _pick(rng, ["active", "inactive"], n_cust),
        "owner": _pick(rng, ["李四", "alice@example.com", "bob@example.com", "王五"], n_cust),
        "phone": _phones(rng, n_cust, areas),
        "email": pa.array([f"info{i}@company{i}.example.cn" for i in range(n_cust)], pa.string()),
        "tax_id": pa.array([f"91{i:016d}" for i in range(n_cust)], pa.string()),
        "country": pa.array(["CN"] * n_cust, pa.string()), "region": regions, "city": cities,
        "address": pc.binary_join_element_wise(cities, pa.array(rng.integers(1, 999, n_cust).astype(str)), "科技路", ""),
        "postal_code": pa.array([f"{v:06d}" for v in rng.integers(10000, 999999, n_cust)], pa.string()),
        "created_at": _fmt_instants(c_created), "updated_at": _fmt_instants(c_created + rng.integers(0, 9e6, n_cust)),
        "notes": _notes(rng, n_cust),
    })
    parent = rng.integers(0, n_cust, n_contacts)
    sur = rng.integers(0, len(SURNAMES), n_contacts)
    giv = rng.integers(0, len(GIVEN), n_contacts)
    first = pa.array(np.asarray(GIVEN, dtype=object)[giv], pa.string())
    last = pa.array(np.asarray(SURNAMES, dtype=object)[sur], pa.string())
    k_created = _instants(rng, n_contacts)
    contact = pa.table({
        "contact_id": _ids("P", n_contacts), "customer_id": cust_ids.take(pa.array(parent)),
        "full_name": pc.binary_join_element_wise(last, first, ""), "first_name": first, "last_name": last,
        "title": _pick(rng, TITLES, n_contacts),
        "email": pa.array([f"user{i}@example.cn" for i in range(n_contacts)], pa.string()),
        "phone": _phones(rng, n_contacts, areas.take(pa.array(parent))),
        "mobile": pa.array(rng.integers(13_000_000_000, 19_999_999_999, n_contacts).astype(str)),
        "owner": _pick(rng, ["李四", "alice@example.com", "bob@example.com"], n_contacts),
        "is_primary": _pick(rng, ["true", "false"], n_contacts),
        "created_at": _fmt_instants(k_created), "updated_at": _fmt_instants(k_created + rng.integers(0, 9e6, n_contacts)),
        "notes": _notes(rng, n_contacts),
    })
    o_parent = rng.integers(0, n_contacts, n_opp)
    o_created = _instants(rng, n_opp)
    amounts = rng.integers(100, 500_000_000, n_opp)
    opportunity = pa.table({
        "opportunity_id": _ids("O", n_opp), "customer_id": contact.column("customer_id").take(pa.array(o_parent)),
        "contact_id": contact.column("contact_id").take(pa.array(o_parent)),
        "name": pc.binary_join_element_wise(pa.array([f"商机{i}" for i in range(n_opp)], pa.string()),
                                            _pick(rng, ["Renewal", "扩容", "实施服务"], n_opp), " - "),
        "stage": _pick(rng, STAGES, n_opp),
        "amount": pa.array([f"{a // 100}.{a % 100:02d}" for a in amounts], pa.string()),
        "currency": _pick(rng, ["CNY", "USD", "EUR"], n_opp),
        "probability": _pick(rng, ["10", "20", "40", "60", "80", "100", "0"], n_opp),
        "expected_close_date": pc.strftime(pa.array((o_created + 86400 * 60) * 1_000_000, pa.timestamp("us")),
                                           format="%Y-%m-%d"),
        "owner": _pick(rng, ["李四", "alice@example.com", "bob@example.com"], n_opp),
        "source": _pick(rng, ["展会", "官网表单", "partner", "转介绍"], n_opp),
        "created_at": _fmt_instants(o_created), "updated_at": _fmt_instants(o_created + rng.integers(0, 9e6, n_opp)),
        "notes": _notes(rng, n_opp),
    })
    return {"customer": customer, "contact": contact, "opportunity": opportunity}


def plant_slice(ref: dict[str, pa.Table], rate: float, seed: int) -> dict[str, pa.Table]:
    """~rate of records get one planted defect, through portcheck's planter applied to a leading slice."""
    from portcheck.testing.planter import plant

    out = {}
    for obj, t in ref.items():
        n_slice = max(200, int(t.num_rows * rate * 1.5))
        head = t.slice(0, n_slice).to_pylist()
        n_def = max(7, int(t.num_rows * rate))
        kinds = {"customer": ["leading_zero", "encoding", "truncated", "value_changed", "missing_value"],
                 "contact": ["truncated", "encoding", "missing_value", "value_changed", "leading_zero"],
                 "opportunity": ["numeric_precision", "timezone_shift", "value_changed", "missing_value"]}[obj]
        counts = {k: n_def // len(kinds) for k in kinds}
        counts.update({"remove": max(1, n_def // 50), "duplicate": max(1, n_def // 100)})
        exported, _ = plant({obj: head}, counts={obj: counts}, seed=seed)
        cols = t.column_names
        head_t = pa.Table.from_pylist([{c: r.get(c) for c in cols} for r in exported[obj]],
                                      schema=pa.schema([(c, pa.string()) for c in cols]))
        out[obj] = pa.concat_tables([head_t, t.slice(n_slice)])
    return out


def reformat_all(ref: dict[str, pa.Table]) -> dict[str, pa.Table]:
    """Every phone as +86 E.164-style text and every date-time in UTC `Z`: format-only, all matches."""
    out = {}
    for obj, t in ref.items():
        cols = {}
        for name in t.column_names:
            col = t.column(name)
            if name in ("phone",):
                col = pc.replace_substring_regex(col, r"^0(\d+)-(\d+)$", r"+86 \1 \2")
            elif name in ("created_at", "updated_at"):
                ts = pc.strptime(pc.utf8_slice_codeunits(col, 0, 19), format="%Y-%m-%dT%H:%M:%S", unit="s")
                shifted = pc.subtract(pc.cast(ts, pa.int64()), 8 * 3600)
                col = pc.strftime(pc.cast(shifted, pa.timestamp("s")), format="%Y-%m-%dT%H:%M:%SZ")
            cols[name] = col
        out[obj] = pa.table(cols)
    return out


def write(tables: dict[str, pa.Table], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for obj, t in tables.items():
        pacsv.write_csv(t, folder / f"{obj}.csv")


def _time(fn):
    t0 = time.perf_counter()
    r = fn()
    return time.perf_counter() - t0, r


def floor(ref: Path, exp: Path) -> tuple[float, float]:
    """pyarrow.csv reads of all six files + a DuckDB join comparing every column of all three pairs."""
    import duckdb

    def run():
        tabs = {}
        for side, folder in (("r", ref), ("e", exp)):
            for obj in ("customer", "contact", "opportunity"):
                with open(folder / f"{obj}.csv", "rb") as fh:
                    names = fh.readline().decode().strip().split(",")
                tabs[f"{side}_{obj}"] = pacsv.read_csv(
                    folder / f"{obj}.csv", parse_options=pacsv.ParseOptions(newlines_in_values=True),
                    convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}))
        con = duckdb.connect()
        diffs = 0
        for obj in ("customer", "contact", "opportunity"):
            r, e = tabs[f"r_{obj}"], tabs[f"e_{obj}"]
            con.register("r", r)
            con.register("e", e)  # re-registering a name replaces the view
            key = f"{obj}_id"
            cols = [c for c in r.column_names if c != key]
            expr = " + ".join(f"(r.\"{c}\" IS DISTINCT FROM e.\"{c}\")::INT" for c in cols)
            diffs += con.execute(f"SELECT sum({expr}) FROM r JOIN e USING (\"{key}\")").fetchall()[0][0] or 0
        return diffs

    return _time(run)


def _measured(cmd: list[str], env: dict | None = None) -> tuple[float, int, int, str, str]:
    """(wall seconds, peak RSS in bytes, exit code, stdout, stderr) of a command.

    The peak RSS comes from GNU time when it is installed: a child forked from this (large) process would
    otherwise report this process's own resident size as its peak (Linux carries it over fork and exec).
    """
    timer = shutil.which("time") or ("/usr/bin/time" if os.path.exists("/usr/bin/time") else None)
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss_file:
        full = [timer, "-f", "%M", "-o", rss_file.name, *cmd] if timer else cmd
        t0 = time.perf_counter()
        proc = subprocess.run(full, capture_output=True, text=True, env=env)
        secs = time.perf_counter() - t0
        rss = 0
        if timer:
            lines = [ln for ln in open(rss_file.name).read().split() if ln.isdigit()]
            rss = int(lines[-1]) * 1024 if lines else 0
    return secs, rss, proc.returncode, proc.stdout, proc.stderr


def datacompy_contacts(ref: Path, exp: Path) -> tuple[float, int, float]:
    """(wall seconds of the whole process, peak RSS, seconds after its imports): datacompy is timed as
    portcheck is, from the command's start to its end (interpreter, imports and exit included), and also
    from after its imports, as a script would time itself."""
    code = f"""
import time, pandas as pd, datacompy
t0 = time.perf_counter()
a = pd.read_csv({str(ref / 'contact.csv')!r}); b = pd.read_csv({str(exp / 'contact.csv')!r})
c = datacompy.PandasCompare(a, b, join_columns='contact_id')
c.report()
print(time.perf_counter() - t0)
"""
    secs, rss, code_, out, err = _measured([sys.executable, "-c", code])
    if code_ != 0:
        raise RuntimeError(f"datacompy failed: {err[-2000:]}")
    return secs, rss, float(out.split()[-1])


def portcheck_check(ref: Path, exp: Path, out: Path) -> tuple[float, int, int, str]:
    env = dict(os.environ, PORTCHECK_STAGE_TIMES="1", PYTHONPATH=str(REPO))
    secs, rss, code, _, stderr = _measured(
        [sys.executable, "-m", "portcheck", "check", str(exp), "--profile", "canonical", "--reference", str(ref),
         "--out", str(out), "--force", "-q", "--region", "CN"], env)
    return secs, rss, code, stderr


def help_time(repeat: int = 15) -> tuple[float, float]:
    def median(cmd):
        ts = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            subprocess.run(cmd, capture_output=True, check=True)
            ts.append(time.perf_counter() - t0)
        return sorted(ts)[len(ts) // 2]

    return median([sys.executable, "-m", "portcheck", "--help"]), median([sys.executable, "-c", "pass"])


def _rows_of(folder: Path) -> int:
    """Data rows of the canonical CSV files in a folder (pyarrow, as the floor reads them)."""
    total = 0
    for f in sorted(folder.glob("*.csv")):
        with open(f, "rb") as fh:
            names = fh.readline().decode().strip().split(",")
        total += pacsv.read_csv(f, parse_options=pacsv.ParseOptions(newlines_in_values=True),
                                convert_options=pacsv.ConvertOptions(
                                    column_types={n: pa.string() for n in names})).num_rows
    return total


def prepare(n: int, seed: int, work: Path, reformatted: bool) -> dict:
    """Generate the files into ``work`` (reference/, export/, export-reformatted/), or reuse them."""
    ref, exp, exp2 = work / "reference", work / "export", work / "export-reformatted"
    if not (ref / "contact.csv").is_file() or not (exp / "contact.csv").is_file() or \
            (reformatted and not (exp2 / "contact.csv").is_file()):
        t0 = time.perf_counter()
        ref_t = generate(n, seed)
        write(ref_t, ref)
        write(plant_slice(ref_t, 0.01, seed), exp)
        if reformatted:
            write(reformat_all(ref_t), exp2)
        del ref_t
        print(f"  generated {n:,} contacts in {time.perf_counter() - t0:.0f} s into {work}", flush=True)
    rows = _rows_of(ref) + _rows_of(exp)
    size = sum(p.stat().st_size for p in list(ref.iterdir()) + list(exp.iterdir()))
    return {"contacts": n, "rows": rows, "mb": size / 1e6, "ref": ref, "exp": exp, "exp2": exp2}


def _best(runs: list, key=lambda r: r):  # noqa: ANN001 - the fastest of repeated runs
    return min(runs, key=key)


def run_size(n: int, seed: int, work: Path, baselines: bool, reformatted: bool, repeat: int = 1) -> dict:
    res = prepare(n, seed, work, reformatted)
    ref, exp, exp2 = res["ref"], res["exp"], res["exp2"]
    # Interleaved, so that a busy moment on the shared machine hits every contender alike.
    pcs, floors, dcs, pcs2, floors2 = [], [], [], [], []
    for _ in range(repeat):
        pcs.append(portcheck_check(ref, exp, work / "out"))
        if baselines:
            floors.append(floor(ref, exp)[0])
            dcs.append(datacompy_contacts(ref, exp))
        if reformatted:
            pcs2.append(portcheck_check(ref, exp2, work / "out2"))
            floors2.append(floor(ref, exp2)[0])
    res["portcheck"] = _best(pcs, key=lambda r: r[0])
    if baselines:
        res["floor"], res["datacompy"] = min(floors), _best(dcs, key=lambda r: r[0])
    if reformatted:
        res["portcheck_reformatted"], res["floor_reformatted"] = _best(pcs2, key=lambda r: r[0]), min(floors2)
        rep = json.loads((work / "out2" / "report.json").read_text())
        res["reformatted_defects"] = sum(sum(o["defects"].values()) for o in rep["objects"].values())
    return res


def _stages(stderr: str) -> dict[str, float]:
    """{stage: seconds} from PORTCHECK_STAGE_TIMES lines ("stage NAME   1.23 s")."""
    out = {}
    for line in stderr.splitlines():
        words = line.split()
        if len(words) >= 4 and words[0] == "stage" and words[-1] == "s":
            try:
                out[" ".join(words[1:-2])] = float(words[-2])
            except ValueError:
                continue
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--contacts", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--scaling", action="store_true", help="also run 100k and 3M contacts")
    ap.add_argument("--keep", help="keep the generated files in this folder (and reuse them when they are "
                                   "there already: DIR/n<contacts>/reference, export, export-reformatted)")
    ap.add_argument("--repeat", type=int, default=1, help="run each contender N times, interleaved; the "
                                                         "fastest run counts (default 1)")
    args = ap.parse_args()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="portcheck-bench-"))
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "portcheck"],
                           capture_output=True, text=True).stdout.strip()
    print(f"portcheck bench  commit {commit}{' (+ uncommitted changes)' if dirty else ''}  "
          f"load {tuple(round(x, 2) for x in os.getloadavg())}  cores {os.cpu_count()}", flush=True)
    # Measure portcheck as installed: pip byte-compiles a package, and Python caches what it compiles on
    # first import, unless PYTHONDONTWRITEBYTECODE is set (as on some CI machines), when every run would
    # compile the package's sources again (~0.15 s on the 1M set).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "portcheck")], check=True)
    try:
        r = run_size(args.contacts, args.seed, work / f"n{args.contacts}", baselines=True, reformatted=True,
                     repeat=args.repeat)
        pc_s, pc_rss, code, stages = r["portcheck"]
        pc2_s, pc2_rss, code2, stages2 = r["portcheck_reformatted"]
        dc_s, dc_rss, dc_inner = r["datacompy"]
        print(f"\n{r['contacts']:,} contacts: {r['rows']:,} rows in six files, {r['mb']:.0f} MB"
              f"  (load now {tuple(round(x, 2) for x in os.getloadavg())})")
        print(f"{'':<46}{'seconds':>9}{'peak RSS':>11}{'rows/s':>13}")
        for name, secs, rss in (("floor: pyarrow reads + DuckDB compare", r["floor"], None),
                                ("datacompy PandasCompare (contacts only)", dc_s, dc_rss),
                                ("  the same, after its imports", dc_inner, None),
                                (f"portcheck check (exit {code})", pc_s, pc_rss),
                                ("floor, reformatted pair", r["floor_reformatted"], None),
                                (f"portcheck check, reformatted pair (exit {code2})", pc2_s, pc2_rss)):
            rss_s = f"{rss / 1e9:.2f} GB" if rss else "-"
            print(f"{name:<46}{secs:>9.2f}{rss_s:>11}{r['rows'] / secs:>13,.0f}")
        s1, s2 = _stages(stages), _stages(stages2)
        print(f"\nportcheck stages (seconds){'':<20}{'planted':>9}{'reformatted':>13}")
        for name in list(dict.fromkeys(list(s1) + list(s2))):
            a, b = s1.get(name), s2.get(name)
            print(f"  {name:<44}{'' if a is None else f'{a:.2f}':>9}{'' if b is None else f'{b:.2f}':>13}")
        ratio_floor, ratio_dc = pc_s / r["floor"], pc_s / dc_s
        ratio_ref = pc2_s / r["floor_reformatted"]
        def met(ok: bool) -> str:
            return "met" if ok else "NOT met"

        print(f"\nratio portcheck / floor            {ratio_floor:6.3f}   "
              f"(target <= 2.5: {met(ratio_floor <= 2.5)})")
        print(f"ratio portcheck / datacompy        {ratio_dc:6.3f}   (target <= 0.5: {met(ratio_dc <= 0.5)})")
        print(f"  to datacompy after its imports   {pc_s / dc_inner:6.3f}   (portcheck's own start and imports "
              f"counted, datacompy's not)")
        print(f"ratio reformatted portcheck/floor  {ratio_ref:6.3f}   (target <= 4: "
              f"{met(ratio_ref <= 4 and r['reformatted_defects'] == 0)}; defects found: "
              f"{r['reformatted_defects']}, want 0)")
        print(f"peak RSS                           {pc_rss / 1e9:6.2f} GB "
              f"(target <= 2.5: {met(pc_rss <= 2.5e9)})")
        h, p = help_time()
        print(f"portcheck --help {h * 1000:.0f} ms vs python -c pass {p * 1000:.0f} ms: +{(h - p) * 1000:.0f} ms"
              f"   (target <= +150 ms: {met(h - p <= 0.15)})")
        if args.scaling:
            print("\nscaling (portcheck check end to end, planted pair; fuzzy = its own stage)")
            for n in (100_000, 3_000_000):
                sc = run_size(n, args.seed, work / f"n{n}", baselines=False, reformatted=False)
                secs, rss, _, st = sc["portcheck"]
                fz = _stages(st).get("checks: fuzzy duplicates")
                print(f"{n:>11,} contacts: {secs:7.2f} s, {secs / (sc['rows'] / 1e6):.2f} s per million rows, "
                      f"fuzzy {fz if fz is not None else float('nan'):.2f} s "
                      f"({(fz or 0) / (n / 1e6):.2f} s per million contacts), peak {rss / 1e9:.2f} GB")
            fz1 = s1.get("checks: fuzzy duplicates")
            print(f"{args.contacts:>11,} contacts: {pc_s:7.2f} s, {pc_s / (r['rows'] / 1e6):.2f} s per million "
                  f"rows, fuzzy {fz1 or float('nan'):.2f} s ({(fz1 or 0) / (args.contacts / 1e6):.2f} s per "
                  f"million contacts), peak {pc_rss / 1e9:.2f} GB")
        print(f"\nload at the end {tuple(round(x, 2) for x in os.getloadavg())}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
