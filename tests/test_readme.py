"""The README tells the truth: its troubleshooting table is the corpus's, its commands exist, its profiles list is real."""

from __future__ import annotations

import os
import re

from tests.conftest import REPO, run_portcheck

BEGIN, END = "<!-- BAD-INPUTS:BEGIN -->\n", "<!-- BAD-INPUTS:END -->"


def _table() -> str:
    text = (REPO / "tests" / "robustness" / "bad-inputs.md").read_text(encoding="utf-8")
    return text[text.index("| input |"):].rstrip() + "\n"


def test_troubleshooting_table_is_the_one_the_corpus_generates():
    readme_path = REPO / "README.md"
    readme = readme_path.read_text(encoding="utf-8")
    start, end = readme.index(BEGIN) + len(BEGIN), readme.index(END)
    if os.environ.get("PORTCHECK_UPDATE_DOCS") == "1":
        readme = readme[:start] + _table() + readme[end:]
        readme_path.write_text(readme, encoding="utf-8")
    assert readme[start:end] == _table(), "run with PORTCHECK_UPDATE_DOCS=1 to refresh the README's table"


def test_setup_section_gives_exactly_two_commands_and_the_first_one_runs():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    setup = readme[readme.index("## Set up"):readme.index("\n## ", readme.index("## Set up") + 5)]
    blocks = re.findall(r"```sh\n(.*?)```", setup, re.S)
    assert len(blocks) == 2 and "pytest" in blocks[1]
    check = blocks[0].split("&& ", 1)[1].strip().split()
    assert check[:2] == ["portcheck", "check"]
    out = REPO / "demo-report-test"
    try:
        args = [a if a != "demo-report" else str(out) for a in check[2:]]
        args = [str(REPO / a) if a.startswith("fixtures/") else a for a in args]
        run = run_portcheck("check", *args, "--force")
        assert run.returncode == 1, run.stderr  # the demo export fails the clause, as the README says
        assert (out / "report.html").is_file()
    finally:
        import shutil

        shutil.rmtree(out, ignore_errors=True)


def test_every_command_the_cli_offers_is_named_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    run = run_portcheck("--help")
    commands = re.findall(r"^  ([a-z]+)\s", run.stdout.split("Commands:")[1], re.M)
    assert commands
    missing = [c for c in commands if f"portcheck {c}" not in readme]
    assert missing == []
