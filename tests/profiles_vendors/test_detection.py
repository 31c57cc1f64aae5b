"""Auto-detection: distinctive layouts (API dumps, Odoo, SuiteCRM, Dynamics) are recognised; Excel exports
with generic Chinese labels, which 纷享销客, 简道云, 金蝶云星空 and 用友 all produce, are not guessed."""

from __future__ import annotations

from pathlib import Path

import pytest

from portcheck.errors import ProfileError
from portcheck.profiles import choose_profile, detect, load_dataset
from tests.profiles_vendors.conftest import CHINESE_LABEL_VENDORS, FIXTURES, case_id, cases, facts, read_case

DISTINCTIVE = [(p, c) for p, c in cases() if "detect" in facts(c)]
AMBIGUOUS = [(p, c) for p, c in cases() if "ambiguous" in facts(c)]


def test_every_vendor_case_is_either_distinctive_or_ambiguous():
    assert {p for p, _ in DISTINCTIVE} == {
        "dynamics365",
        "odoo",
        "suitecrm",
        "fxiaoke",
        "xiaoshouyi",
        "jiandaoyun",
        "kingdee",
        "yonyou",
    }
    assert {p for p, _ in AMBIGUOUS} == set(CHINESE_LABEL_VENDORS)
    assert all(facts(c)["detect"] == p for p, c in DISTINCTIVE)


@pytest.mark.parametrize(("profile", "case"), DISTINCTIVE, ids=[case_id(c) for _, c in DISTINCTIVE])
def test_auto_detection_picks_the_fixture_profile(profile, case):
    source = read_case(case)
    ranked = detect(source)
    assert ranked[0][0] == profile, ranked[:3]
    ds = load_dataset(source)
    assert ds.profile_name == profile
    assert ds.detection["method"] == "auto"


@pytest.mark.parametrize(("profile", "case"), AMBIGUOUS, ids=[case_id(c) for _, c in AMBIGUOUS])
def test_generic_chinese_label_exports_are_not_guessed(profile, case):
    source = read_case(case)
    with pytest.raises(ProfileError) as err:
        choose_profile(source)
    named = err.value.message
    assert "fits several profiles about equally" in named
    for vendor in facts(case)["ambiguous"]:
        assert vendor in named, (vendor, named)
    assert "--profile" in err.value.hint
    # With the vendor named, the same export maps.
    assert load_dataset(source, profile=profile).objects["customer"].rows > 0


def test_the_cli_stops_with_exit_2_naming_the_candidates(tmp_path: Path, capsys):
    from portcheck.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["check", str(FIXTURES / "kingdee" / "excel" / "export"), "--out", str(tmp_path / "report")])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    for vendor in CHINESE_LABEL_VENDORS:
        assert vendor in err
    assert "--profile" in err
    assert "Traceback" not in err
    assert not (tmp_path / "report" / "report.json").exists()


def test_wukong_exports_are_still_recognised_beside_the_chinese_label_profiles():
    source = read_case(FIXTURES / "wukong")
    assert detect(source)[0][0] == "wukong"


def test_a_vendor_api_dump_beats_the_shared_chinese_vocabulary():
    # The same vendor, two layouts: its API pages are recognised, its Excel export is not guessed.
    api = detect(read_case(FIXTURES / "fxiaoke" / "api"))
    excel = detect(read_case(FIXTURES / "fxiaoke" / "excel"))
    assert api[0][0] == "fxiaoke" and api[0][1] - api[1][1] > 0.05
    top = {n for n, s, _ in excel if excel[0][1] - s < 0.05}
    assert set(CHINESE_LABEL_VENDORS) <= top
