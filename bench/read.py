"""How fast portcheck reads a large CSV export, against a bare ``pyarrow.csv.read_csv`` of the same file.

Usage::

    python bench/read.py [--rows 1000000] [--seed 7] [--encoding utf-8|gb18030] [--keep DIR]

It writes (seeded, so every run reads the same bytes) a CSV of ``--rows`` rows and 15 columns — Chinese
names and addresses, leading-zero phones, 19-digit IDs, amounts, ISO instants and multi-line notes full of
commas and quotes — into a temporary folder, then times, each in a fresh subprocess so that peak RSS is
its own:

- the floor: ``pyarrow.csv.read_csv(path, parse_options=ParseOptions(newlines_in_values=True))``
  (type inference on; ``newlines_in_values`` is needed to read the notes at all);
- portcheck: ``portcheck.readers.read_export(path)`` (encoding detection, dialect, SHA-256 of the file,
  every column as text).

Both clocks start after ``pyarrow.csv`` is imported and stop when the table is in memory.

It prints seconds, rows per second, peak RSS and the ratio portcheck / floor.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红娥玲芬燕彬鹏辉")
CITIES = [
    "北京市",
    "上海市",
    "广州市",
    "深圳市",
    "杭州市",
    "成都市",
    "武汉市",
    "南京市",
    "西安市",
    "重庆市",
    "台北市",
    "香港",
]
STREETS = ["中山路", "人民大道", "解放路", "建设路", "和平街", "科技园南区", "滨海大道", "长安街"]
INDUSTRIES = ["制造业", "金融", "教育", "医疗", "零售", "互联网", "物流", "能源"]
STAGES = ["初步接洽", "需求确定", "方案报价", "谈判审核", "赢单", "输单"]
NOTES = [
    "客户要求\n分两期交付，第一期 5 月底",
    'He said "call me back", then hung up',
    "地址变更: 旧址=中山路 1 号, 新址=人民大道 88 号",
    "",
    "VIP 客户;\r\n年度框架合同, 注意续签",
    "多行备注\n第二行\n第三行, 带逗号",
    "plain note",
]


def generate(path: Path, rows: int, seed: int, encoding: str) -> int:
    """Write the benchmark CSV (vectorised with numpy + pyarrow); return its size in bytes."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(seed)

    def pick(pool: list[str]) -> pa.Array:
        return pa.array(np.asarray(pool, dtype=object)[rng.integers(0, len(pool), rows)], pa.string())

    def digits(prefix: str, width: int) -> pa.Array:
        nums = rng.integers(0, 10**width, rows, dtype=np.int64)
        return pc.binary_join_element_wise(prefix, pa.array(np.char.zfill(nums.astype(str), width)), "")

    names = pc.binary_join_element_wise(pick(SURNAMES), pick(GIVEN), pick(GIVEN + [""]), "")
    ids = pc.binary_join_element_wise(
        "33889260", pa.array(np.char.zfill(rng.integers(0, 10**11, rows).astype(str), 11)), ""
    )
    amounts = pa.array(np.char.mod("%.2f", rng.integers(0, 10**9, rows) / 100.0))
    seconds = rng.integers(1_500_000_000, 1_750_000_000, rows)
    created = pc.strftime(pa.array(seconds.astype("datetime64[s]")), format="%Y-%m-%dT%H:%M:%SZ")
    table = pa.table(
        {
            "客户ID": ids,
            "客户名称": pc.binary_join_element_wise(
                names, pick(["有限公司", "科技有限公司", "集团", "(香港)有限公司"]), ""
            ),
            "联系人": names,
            "手机": digits("1", 10),
            "电话": digits("0755-", 8),
            "邮箱": pc.binary_join_element_wise(
                digits("user", 6), pick(["@example.com", "@例子.公司", "@qq.com"]), ""
            ),
            "行业": pick(INDUSTRIES),
            "城市": pick(CITIES),
            "地址": pc.binary_join_element_wise(pick(CITIES), pick(STREETS), digits("", 3), "号", ""),
            "邮编": digits("0", 5),
            "阶段": pick(STAGES),
            "金额": amounts,
            "创建时间": created,
            "负责人": pick(["张三", "李四", "王五", "Zoe O'Neil", "Ali, Khan"]),
            "备注": pick(NOTES),
        }
    )
    if encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        pacsv.write_csv(table, str(path))
    else:
        import io

        buf = io.BytesIO()
        pacsv.write_csv(table, buf)
        path.write_bytes(buf.getvalue().decode("utf-8").encode(encoding))
    return path.stat().st_size


FLOOR = """
import pyarrow.csv as pacsv, resource, sys, time
t = time.perf_counter()
table = pacsv.read_csv(sys.argv[1], parse_options=pacsv.ParseOptions(newlines_in_values=True))
s = time.perf_counter() - t
print({"seconds": s, "rows": table.num_rows, "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss})
"""

PORTCHECK = """
import resource, sys, time
import pyarrow.csv  # imported before the clock starts, as in the floor
from portcheck.readers import read_export
t = time.perf_counter()
source = read_export(sys.argv[1])
s = time.perf_counter() - t
table = source.tables[0]
print({"seconds": s, "rows": table.rows, "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
       "encoding": table.meta.get("encoding")})
"""


def run(code: str, path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)], check=True, capture_output=True, text=True, cwd=REPO
    )
    import ast

    return ast.literal_eval(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--encoding", default="utf-8", help="encoding of the generated file (utf-8, gb18030 …)"
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs of each reader; the best is kept")
    parser.add_argument("--keep", type=Path, help="write the CSV here and keep it")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="portcheck-bench-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "bench.csv"
        size = generate(path, args.rows, args.seed, args.encoding)
        floor = min((run(FLOOR, path) for _ in range(args.repeat)), key=lambda r: r["seconds"])
        ours = min((run(PORTCHECK, path) for _ in range(args.repeat)), key=lambda r: r["seconds"])
    if floor["rows"] != args.rows or ours["rows"] != args.rows:
        print(
            f"row counts differ: asked {args.rows}, floor read {floor['rows']}, "
            f"portcheck read {ours['rows']}",
            file=sys.stderr,
        )
        return 1
    ratio = ours["seconds"] / floor["seconds"]
    result = {
        "rows": args.rows,
        "bytes": size,
        "encoding": args.encoding,
        "floor": floor,
        "portcheck": ours,
        "ratio": round(ratio, 3),
    }
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"file: {args.rows:,} rows, {size / 1e6:,.1f} MB, {args.encoding}")
    print(f"{'reader':<28}{'seconds':>9}{'rows/s':>14}{'peak RSS MB':>14}")
    for label, r in (("pyarrow.csv (floor)", floor), ("portcheck.readers", ours)):
        print(
            f"{label:<28}{r['seconds']:>9.2f}{r['rows'] / r['seconds']:>14,.0f}{r['rss_kb'] / 1024:>14,.0f}"
        )
    print(f"ratio portcheck / floor: {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
