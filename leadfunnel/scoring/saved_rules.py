"""Saving and loading named rule sets in the database (one transaction per save; the SQL in queries/settings)."""

from __future__ import annotations

from contextlib import closing
from datetime import datetime

import duckdb

from leadfunnel.database import transaction
from leadfunnel.query import execute
from leadfunnel.scoring.rules import DEFAULT_RULES, RuleSet, RuleSetError

_DELETE_ROWS = ("settings/delete_rule_points", "settings/delete_rule_fit", "settings/delete_rule_set")  # in order


def rule_set_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The built-in default first, then the saved rule sets by name."""
    with closing(con.cursor()) as cursor:
        saved = [row[0] for row in execute(cursor, "settings/rule_set_names").fetchall()]
    return [DEFAULT_RULES.name, *[n for n in saved if n != DEFAULT_RULES.name]]


def load_rule_set(con: duckdb.DuckDBPyConnection, name: str) -> RuleSet:
    if name == DEFAULT_RULES.name:
        return DEFAULT_RULES
    with closing(con.cursor()) as cursor:
        head = execute(cursor, "settings/rule_set", {"name": name}).fetchone()
        if head is None:
            raise RuleSetError("rules.no_such_set", name=name)
        points = execute(cursor, "settings/rule_set_points", {"name": name}).fetchall()
        fit = execute(cursor, "settings/rule_set_fit", {"name": name}).fetchall()
    return RuleSet(
        name=name, threshold=head[0], half_life_days=head[1],
        points={t: p for t, p, _ in points}, caps={t: c for t, _, c in points if c is not None},
        fit={(a, v): p for a, v, p in fit},
    )


def save_rule_set(con: duckdb.DuckDBPyConnection, rules: RuleSet) -> None:
    """Save (or replace) a named rule set; the built-in default's name is reserved."""
    if rules.name == DEFAULT_RULES.name:
        raise RuleSetError("rules.built_in", name=DEFAULT_RULES.name)
    with closing(con.cursor()) as cursor, transaction(cursor):
        _delete_rows(cursor, rules.name)
        execute(cursor, "settings/insert_rule_set",
                {"name": rules.name, "threshold": rules.threshold, "half_life": rules.half_life_days,
                 "saved_at": datetime.now().replace(microsecond=0)})
        for activity_type in sorted(set(rules.points) | set(rules.caps)):
            execute(cursor, "settings/insert_rule_point",
                    {"name": rules.name, "type": activity_type,
                     "points": rules.points.get(activity_type, 0.0), "cap": rules.caps.get(activity_type)})
        for (attribute, value), points in rules.fit.items():
            execute(cursor, "settings/insert_rule_fit",
                    {"name": rules.name, "attribute": attribute, "value": value, "points": points})


def rename_rule_set(con: duckdb.DuckDBPyConnection, old: str, new: str) -> None:
    """Give a saved rule set another name (the built-in default keeps its own; a taken name is refused)."""
    new = new.strip()
    if DEFAULT_RULES.name in (old, new):
        raise RuleSetError("rules.built_in", name=DEFAULT_RULES.name)
    if not new:
        raise RuleSetError("rules.needs_name")
    if new != old and new in rule_set_names(con):
        raise RuleSetError("rules.name_taken", name=new)
    save_rule_set(con, load_rule_set(con, old).with_changes(name=new))
    if new != old:
        delete_rule_set(con, old)


def delete_rule_set(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Remove a saved rule set; the built-in default cannot be deleted."""
    if name == DEFAULT_RULES.name:
        raise RuleSetError("rules.built_in_kept", name=DEFAULT_RULES.name)
    with closing(con.cursor()) as cursor, transaction(cursor):
        _delete_rows(cursor, name)


def _delete_rows(cursor: duckdb.DuckDBPyConnection, name: str) -> None:
    """Every row of a rule set, inside the caller's transaction."""
    for statement in _DELETE_ROWS:
        execute(cursor, statement, {"name": name})
