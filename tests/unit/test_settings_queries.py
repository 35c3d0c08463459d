"""Settings (rule sets, the SLA policy, saved mappings) are read and written through the named files in
queries/settings, on the caller's cursor and inside its transaction."""

import ast
import re
from pathlib import Path

import pytest

from leadfunnel.paths import PROJECT_DIR, QUERY_DIR
from leadfunnel.query import execute
from leadfunnel.scoring import saved_rules
from leadfunnel.scoring.rules import DEFAULT_RULES, RuleSet
from leadfunnel.scoring.saved_rules import (
    delete_rule_set,
    load_rule_set,
    rename_rule_set,
    rule_set_names,
    save_rule_set,
)

SETTINGS = sorted((QUERY_DIR / "settings").glob("*.sql"))
SETTINGS_MODULES = ("leadfunnel/scoring/saved_rules.py", "leadfunnel/sla/policy.py",
                    "leadfunnel/ingest/saved_mappings.py")
CUSTOM = RuleSet(name="Trade shows", threshold=70, half_life_days=30.0, points={"event_attended": 25, "email_open": 1},
                 caps={"email_open": 5}, fit={("industry", "Manufacturing"): 10})


def test_every_settings_file_says_what_it_does():
    assert SETTINGS
    for path in SETTINGS:
        assert path.read_text(encoding="utf-8").startswith("-- "), path.name


def test_the_settings_modules_hold_no_sql_but_transaction_control():
    allowed = {"BEGIN TRANSACTION", "COMMIT", "ROLLBACK"}
    for module in SETTINGS_MODULES:
        tree = ast.parse((PROJECT_DIR / module).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            assert not isinstance(node, ast.JoinedStr) or not any(
                re.search(r"\b(SELECT|INSERT|DELETE|MERGE|UPDATE)\b", part.value)
                for part in node.values if isinstance(part, ast.Constant)), module
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert not re.match(r"\s*(SELECT|INSERT|DELETE|MERGE|UPDATE)\b", node.value) \
                    or node.value in allowed, (module, node.value)


def test_execute_runs_a_named_statement_inside_the_callers_transaction(empty_db):
    cursor = empty_db.cursor()
    try:
        cursor.execute("BEGIN TRANSACTION")
        execute(cursor, "settings/insert_rule_set", {"name": "x", "threshold": 1.0, "half_life": None,
                                                     "saved_at": "2026-01-01 00:00:00", "unused": 1})
        assert execute(cursor, "settings/rule_set_names").fetchall() == [("x",)]
        cursor.execute("ROLLBACK")
        assert execute(cursor, "settings/rule_set_names").fetchall() == []
        with pytest.raises(KeyError, match="needs parameters"):
            execute(cursor, "settings/rule_set", {})
    finally:
        cursor.close()


def test_a_save_that_fails_halfway_leaves_the_stored_set_as_it_was(empty_db, monkeypatch):
    save_rule_set(empty_db, CUSTOM)
    real = saved_rules.execute

    def failing(cursor, name, params=None):
        if name == "settings/insert_rule_fit":
            raise RuntimeError("disk gone")
        return real(cursor, name, params)

    monkeypatch.setattr(saved_rules, "execute", failing)
    with pytest.raises(RuntimeError, match="disk gone"):
        save_rule_set(empty_db, CUSTOM.with_changes(threshold=99))
    monkeypatch.undo()
    assert load_rule_set(empty_db, CUSTOM.name) == CUSTOM


def test_rename_and_delete_remove_every_row_of_the_set(empty_db):
    save_rule_set(empty_db, CUSTOM)
    rename_rule_set(empty_db, CUSTOM.name, "Events")
    assert rule_set_names(empty_db) == [DEFAULT_RULES.name, "Events"]
    assert load_rule_set(empty_db, "Events") == CUSTOM.with_changes(name="Events")
    delete_rule_set(empty_db, "Events")
    assert rule_set_names(empty_db) == [DEFAULT_RULES.name]
    for table in ("rule_sets", "rule_points", "rule_fit"):
        assert empty_db.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table


def test_the_settings_files_are_where_the_modules_name_them():
    named = set()
    for module in SETTINGS_MODULES:
        named |= set(re.findall(r'"(settings/[a-z_]+)"', (PROJECT_DIR / module).read_text(encoding="utf-8")))
    assert named == {f"settings/{Path(p).stem}" for p in SETTINGS}
