"""Rule sets as data: file round trips, validation messages, saving and loading by name."""

from __future__ import annotations

import math
import time

import pytest

from leadfunnel.scoring.rules import (
    DEFAULT_RULES,
    MAX_RULES_BYTES,
    RuleSet,
    RuleSetError,
    dump_rules,
    load_rules_file,
    parse_rules,
    parse_rules_bytes,
)
from leadfunnel.scoring.saved_rules import load_rule_set, rule_set_names, save_rule_set

CUSTOM = RuleSet(
    name="展示会重視 Q3",
    threshold=80,
    points={"webinar_attended": 25, "trade_show_visit": 30, "email_open": 1},
    caps={"email_open": 10},
    half_life_days=30,
    fit={("industry", "Manufacturing"): 15, ("company_size", "1000+"): 10},
)


def test_default_rules_are_the_guides_example():
    assert DEFAULT_RULES.threshold == 100
    assert dict(DEFAULT_RULES.points) == {"whitepaper_download": 10, "webinar_attended": 20,
                                          "product_page_view": 5, "email_open": 3, "contact_form": 50}


@pytest.mark.parametrize("as_json", [False, True])
def test_file_round_trip(as_json):
    assert parse_rules(dump_rules(CUSTOM, as_json=as_json)) == CUSTOM


def test_yaml_file_as_documented_in_the_readme():
    rules = parse_rules("""
name: Webinar first
threshold: 60
half_life_days: 14
points: {webinar_attended: 30, contact_form: 50}
caps: {webinar_attended: 60}
fit:
  industry: {製造業: 10}
""")
    assert rules.params() == {
        "types": ["contact_form", "webinar_attended"], "points": [50.0, 30.0], "caps": [None, 60.0],
        "half_life": 14.0, "fit_attributes": ["industry"], "fit_values": ["製造業"], "fit_points": [10.0],
    }


@pytest.mark.parametrize(("text", "message"), [
    ("threshold: 0\npoints: {}", "threshold must be above 0"),
    ("threshold: 100\nhalf_life_days: -3", "half-life must be above 0"),
    ("threshold: lots", "not a number"),
    ("threshold: 100\nfit: {job: {CEO: 10}}", "fit attribute must be one of"),
    ("threshold: 100\nweights: {}", "unknown keys in rule set: weights"),
    ("- just\n- a list", "holds a mapping"),
    ("name: [unclosed", "not valid YAML or JSON"),
    ("!!python/object/apply:os.system ['echo hi']", "not valid YAML or JSON"),
    # issue #14 (F19): what an adversarial run fed the loader
    ("threshold: .nan", "threshold in the rule set must be a finite number within ±1,000,000,000"),
    ("threshold: 'NaN'", "threshold in the rule set must be a finite number"),
    ("threshold: .inf", "threshold in the rule set must be a finite number"),
    ("threshold: 100\nhalf_life_days: .inf", "half_life_days in the rule set must be a finite number"),
    ("threshold: 100\nhalf_life_days: .nan", "half_life_days in the rule set must be a finite number"),
    ("threshold: 100\npoints: {email_open: .inf}", "points.email_open in the rule set must be a finite number"),
    ("threshold: 100\npoints: {email_open: -.inf}", "points.email_open in the rule set must be a finite number"),
    ("threshold: 100\npoints: {email_open: 1e300}", "points.email_open in the rule set must be a finite number"),
    ("threshold: 100\ncaps: {email_open: .nan}", "caps.email_open in the rule set must be a finite number"),
    ("threshold: 100\nfit: {industry: {SaaS: .inf}}", "fit.industry.SaaS in the rule set must be a finite number"),
    ("threshold: " + "9" * 400, "threshold in the rule set must be a finite number"),
    ("threshold: 100\npoints: {email_open: yes}", "points.email_open in the rule set is true, not a number"),
    ("threshold: no", "threshold in the rule set is false, not a number"),
    ("threshold: null", "threshold in the rule set has no value"),
    ("threshold: [1, 2]", "threshold in the rule set is not a number: \\[1, 2\\]"),
    ("threshold: 2025-04-01", "threshold in the rule set is not a number"),
    ("threshold: 2025-13-45", "not valid YAML or JSON: month must be in 1..12"),
    ("threshold: " + "9" * 5000, "not valid YAML or JSON: Exceeds the limit"),
    ("threshold: 100\nhalf_life_days: 0", "half-life must be above 0 days \\(or empty for no decay\\)"),
    ("threshold: 100\nthreshold: 5", "the key 'threshold' is written twice in the same mapping \\(line 2\\)"),
    ("threshold: 9\npoints:\n  email_open: 3\n  email_open: 4", "key 'email_open' is written twice .*line 4"),
    ('{"threshold": 9, "points": {"email_open": 3, "email_open": 4}}', "key 'email_open' is written twice"),
    ("threshold: 9\npoints: {1: 3, '1': 4}", "points.1 is written twice in the rule set \\(as 1 and '1'\\)"),
    ("threshold: 9\npoints: {<<: {email_open: 3}, email_open: 4}", "key 'email_open' is written twice"),
    ("threshold: 9\npoints: [email_open, 3]", "points in the rule set must be a mapping"),
    ("threshold: 9\nfit: {industry: SaaS}", "fit.industry in the rule set must be a mapping"),
    ("a: &x 1\nb: *x", "anchors and aliases .* are not allowed in a rule set file \\(line 1\\)"),
    ("threshold: &t 100", "anchors and aliases"),
    ("[" * 5000 + "]" * 5000, "nests more than 20 levels deep \\(line 1\\)"),
    ("fit:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 40)), "nests more than 20 levels deep \\(line 21\\)"),
    ("a: 1\n---\nb: 2", "at line 2, column 1: expected a single document in the stream, but found another"),
    ("name: x\x07", "not valid YAML or JSON: special characters are not allowed"),
    ('threshold: 9\nfit: {industry: {"a\\nb": ~}}', r"fit.industry.a\\nb in the rule set has no value"),
    ('threshold: 9\npoints: {"x\\ny": 1, "x\\ny": 2}', r"the key 'x\\\\ny' is written twice"),
    ("threshold: !!float ''", "not valid YAML or JSON: a value does not fit its !! tag"),  # PyYAML: IndexError
    ("threshold: !!bool maybe", "not valid YAML or JSON: a value does not fit its !! tag"),  # KeyError
    ("threshold: !!timestamp soon", "not valid YAML or JSON: a value does not fit its !! tag"),  # AttributeError
])
def test_bad_files_say_what_is_wrong(text, message):
    with pytest.raises(RuleSetError, match=message) as raised:
        parse_rules(text)
    assert "\n" not in str(raised.value)  # one line in a terminal or a log
    assert not {"nan", "inf", "NaN", "Infinity"} & set(str(raised.value).replace(",", " ").split())


BILLION_LAUGHS = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]" for i in range(8)])


def test_billion_laughs_is_refused_before_it_expands():
    start = time.perf_counter()
    with pytest.raises(RuleSetError, match="anchors and aliases"):
        parse_rules(BILLION_LAUGHS)
    assert time.perf_counter() - start < 1  # it ran 50 s into a MemoryError before


def test_no_half_life_means_no_decay_and_zero_is_refused():
    assert parse_rules("threshold: 50").half_life_days is None
    assert parse_rules("threshold: 50\nhalf_life_days:").half_life_days is None
    assert parse_rules("threshold: 50\nhalf_life_days: ''").half_life_days is None
    assert parse_rules("threshold: 50\nhalf_life_days: '14'").half_life_days == 14
    with pytest.raises(RuleSetError, match="half-life must be above 0 days"):
        parse_rules("threshold: 50\nhalf_life_days: 0.0")


def test_negative_points_are_still_allowed():
    assert parse_rules("threshold: 50\npoints: {email_open: -5, contact_form: '50'}").points == {
        "email_open": -5.0, "contact_form": 50.0}


@pytest.mark.parametrize(("changes", "message"), [
    ({"threshold": math.nan}, "threshold in the rule set must be a finite number"),
    ({"threshold": math.inf}, "threshold in the rule set must be a finite number"),
    ({"threshold": True}, "threshold in the rule set must be a finite number"),
    ({"half_life_days": math.nan}, "half_life_days in the rule set must be a finite number"),
    ({"half_life_days": 0}, "half-life must be above 0 days"),
    ({"points": {"email_open": math.nan}}, "points.email_open in the rule set must be a finite number"),
    ({"caps": {"email_open": math.inf}}, "caps.email_open in the rule set must be a finite number"),
    ({"caps": {"email_open": -1}}, "the cap for Email open must not be negative"),
    ({"fit": {("industry", "SaaS"): -math.inf}}, "fit.industry.SaaS in the rule set must be a finite number"),
])
def test_every_way_of_making_a_rule_set_refuses_non_finite_numbers(changes, message):
    with pytest.raises(RuleSetError, match=message):
        DEFAULT_RULES.with_changes(**changes)


def test_messages_read_in_japanese():
    with pytest.raises(RuleSetError) as raised:
        parse_rules("threshold: 100\npoints: {email_open: on}")
    assert raised.value.message.render("ja") == (
        "ルールセットの points.email_open は数値ではなく true です（YAML では yes・no・on・off・true・false は"
        "真偽値として読まれます）")


RULES_TEXT = "# 展示会を重視したルール\nname: 展示会重視\nthreshold: 50\npoints: {contact_form: 50}\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932", "utf-16"])
def test_rule_files_are_decoded_like_data_files(encoding, tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_bytes(RULES_TEXT.encode(encoding))
    assert load_rules_file(path).name == "展示会重視"
    assert parse_rules_bytes(RULES_TEXT.encode(encoding), "rules.yaml").points == {"contact_form": 50}


def test_undecodable_bytes_are_a_rule_set_error_that_leaves_naming_the_file_to_the_caller():
    with pytest.raises(RuleSetError, match=r"^line 1 is not valid utf-16 text$"):
        parse_rules_bytes(b"\xff\xfe\x00\xd8", "rules.yaml")


def test_files_over_the_size_limit_are_refused_unread(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_bytes(b"threshold: 50\n" + b"#" * MAX_RULES_BYTES)
    with pytest.raises(RuleSetError, match="a rule set file may be at most 256 KB; this one is larger"):
        load_rules_file(path)
    with pytest.raises(RuleSetError, match="at most 256 KB"):
        parse_rules_bytes(path.read_bytes(), "rules.yaml")
    with pytest.raises(RuleSetError, match="at most 256 KB"):
        parse_rules(path.read_text(encoding="utf-8"))
    path.write_bytes(b"threshold: 50\n" + b"#" * (MAX_RULES_BYTES - 100))
    assert load_rules_file(path).threshold == 50


def test_save_and_load_round_trip(empty_db):
    save_rule_set(empty_db, CUSTOM)
    assert rule_set_names(empty_db) == [DEFAULT_RULES.name, CUSTOM.name]
    assert load_rule_set(empty_db, CUSTOM.name) == CUSTOM


def test_saving_again_replaces_the_named_set_only(empty_db):
    save_rule_set(empty_db, CUSTOM)
    save_rule_set(empty_db, DEFAULT_RULES.with_changes(name="Other"))
    changed = CUSTOM.with_changes(points={"contact_form": 40}, caps={}, fit={})
    save_rule_set(empty_db, changed)
    assert load_rule_set(empty_db, CUSTOM.name) == changed
    assert load_rule_set(empty_db, "Other").points == DEFAULT_RULES.points


def test_default_name_is_reserved_and_a_failed_save_changes_nothing(empty_db):
    with pytest.raises(RuleSetError, match="built in"):
        save_rule_set(empty_db, DEFAULT_RULES)
    assert load_rule_set(empty_db, DEFAULT_RULES.name) == DEFAULT_RULES
    with pytest.raises(RuleSetError, match="no rule set named"):
        load_rule_set(empty_db, "missing")


def test_the_scoring_key_ignores_the_threshold_and_name_and_nothing_else():
    key = DEFAULT_RULES.scoring_key()
    assert DEFAULT_RULES.with_changes(threshold=55.0, name="other").scoring_key() == key
    for changes in ({"points": {**DEFAULT_RULES.points, "email_open": 4.0}}, {"caps": {"email_open": 9.0}},
                    {"half_life_days": 30.0}, {"fit": {("industry", "IT"): 10.0}}):
        assert DEFAULT_RULES.with_changes(**changes).scoring_key() != key, changes
