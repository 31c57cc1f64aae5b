"""``portcheck suite export``: the suites as GX JSON that GX itself loads."""

from __future__ import annotations

import json

from click.testing import CliRunner

from portcheck.cli import cli


def test_export_writes_one_loadable_suite_per_object(tmp_path):
    import great_expectations as gx

    result = CliRunner().invoke(cli, ["suite", "export", "--out", str(tmp_path / "suites")])
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in (tmp_path / "suites").iterdir())
    assert files == ["contact.json", "customer.json", "opportunity.json"]
    data = json.loads((tmp_path / "suites" / "opportunity.json").read_text(encoding="utf-8"))
    suite = gx.ExpectationSuite(**data)
    assert suite.name == "portcheck.opportunity"
    types = {e.expectation_type for e in suite.expectations}
    assert "expect_column_values_to_be_in_set" in types and "expect_column_values_to_match_regex" in types


def test_export_of_one_object_and_refusal_to_overwrite(tmp_path):
    runner = CliRunner()
    args = ["suite", "export", "--object", "customer", "--out", str(tmp_path)]
    assert runner.invoke(cli, args).exit_code == 0
    assert [p.name for p in tmp_path.iterdir()] == ["customer.json"]
    again = runner.invoke(cli, args, standalone_mode=False, catch_exceptions=True)
    assert again.exception is not None and getattr(again.exception, "exit_code", None) == 2
    forced = runner.invoke(cli, [*args, "--force"])
    assert forced.exit_code == 0


def test_an_unknown_object_is_a_usage_error(tmp_path):
    import pytest

    from portcheck.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["suite", "export", "--object", "lead", "--out", str(tmp_path)])
    assert exc.value.code == 2
    assert not any(tmp_path.iterdir())
