"""Rule sets as data: file round trips, validation messages, saving and loading by name."""

from __future__ import annotations

import pytest

from leadfunnel.scoring.rules import DEFAULT_RULES, RuleSet, RuleSetError, dump_rules, parse_rules
from leadfunnel.scoring.store import load_rule_set, rule_set_names, save_rule_set

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
])
def test_bad_files_say_what_is_wrong(text, message):
    with pytest.raises(RuleSetError, match=message):
        parse_rules(text)


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
