"""Issue 2: "`schemas/` ships inside the wheel, so `pip install .` works outside the repo"; and DESIGN/README's
exit-code contract under `--debug` ("2 usage error or unusable input … `--debug` shows [the traceback]")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
import zipfile

import pytest

from tests.conftest import REPO, run_portcheck


@pytest.mark.slow
def test_issue2_wheel_installed_outside_the_repo_finds_schemas_profiles_and_templates(tmp_path):
    wheels = tmp_path / "wheels"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(REPO)],
                           capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr
    (wheel,) = wheels.glob("portcheck-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for part in ("crm.json", "customer.json", "contact.json", "opportunity.json"):
        assert f"portcheck/_schemas/{part}" in names
    # A venv that sees the installed dependencies but gets portcheck only from the wheel.
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(env_dir)
    py = env_dir / "bin" / "python"
    install = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps",
                              str(wheel)], capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stderr
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}

    def run(*args):
        return subprocess.run([str(env_dir / "bin" / "portcheck"), *args], capture_output=True, text=True,
                              cwd=work, env=env, timeout=300)

    where = subprocess.run([str(py), "-c", "import portcheck; print(portcheck.__file__)"], capture_output=True,
                           text=True, cwd=work, env=env)
    assert where.stdout.startswith(str(env_dir)), where.stdout + where.stderr  # not the source tree
    assert run("canary", "--out", "drill", "--customers", "10").returncode == 0
    checked = run("check", "drill", "--reference", "drill", "--out", "report")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    report = json.loads((work / "report" / "report.json").read_text(encoding="utf-8"))
    assert report["schema"]["name"] == "crm" and report["schema"]["version"] == "1"
    assert (work / "report" / "report.html").stat().st_size > 10_000
    listed = run("profiles")
    assert listed.returncode == 0 and "salesforce" in listed.stdout and "yonyou" in listed.stdout


def test_debug_shows_the_traceback_but_keeps_exit_code_2_for_unusable_input(tmp_path):
    run = run_portcheck("--debug", "check", str(tmp_path / "no-such-export"), "--out", str(tmp_path / "out"))
    assert "Traceback" in run.stderr and "does not exist" in run.stderr
    assert run.returncode == 2


def test_debug_after_the_command_is_accepted(tmp_path):
    run = run_portcheck("check", str(tmp_path / "no-such-export"), "--out", str(tmp_path / "out"), "--debug")
    assert "No such option" not in run.stderr
    assert "does not exist" in run.stderr
