"""Property-based tests of the rule set loader and the scores command's options (issue #14, F19): any text,
bytes or structure gives a rule set whose numbers are all finite or a RuleSetError — never a crash, a hang or
NaN in the printed JSON. The run's summary line says how many cases ran (tests/conftest.py).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from leadfunnel.cli import app
from leadfunnel.ingest.readers import UnreadableFile
from leadfunnel.scoring.rules import RuleSet, RuleSetError, parse_rules, parse_rules_bytes

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                        HealthCheck.function_scoped_fixture])
CLI_FUZZ = settings(FUZZ, max_examples=60)  # each case runs the whole scores command (~0.1 s)
CASES: dict[str, int] = {}
cli = CliRunner()


def counted(name: str) -> None:
    CASES[name] = CASES.get(name, 0) + 1


def assert_sound(rules: RuleSet) -> None:
    """What the scoring queries rely on: every number finite, threshold and half-life above 0."""
    numbers = [rules.threshold, *rules.points.values(), *(c for c in rules.caps.values() if c is not None),
               *rules.fit.values()]
    if rules.half_life_days is not None:
        numbers.append(rules.half_life_days)
        assert rules.half_life_days > 0
    assert rules.threshold > 0
    assert all(not isinstance(n, bool) and math.isfinite(n) for n in numbers), rules


def parsed_or_refused(load: Any, *args: Any) -> None:
    try:
        rules = load(*args)
    except (RuleSetError, UnreadableFile) as error:
        for text in (str(error), error.message.render("ja")):  # one line in a terminal, a log or a page
            assert text and len(text.splitlines()) == 1, text
    else:
        assert_sound(rules)


# Pieces of YAML an attacker or a typo would use: aliases, nesting, tags, special floats, booleans, duplicates.
FRAGMENTS = st.sampled_from([
    "threshold", "points", "caps", "fit", "half_life_days", "name", "email_open", "industry", ":", ": ", ", ",
    "\n", "\n  ", "\n    ", "- ", "[", "]", "{", "}", "&a ", "*a", "<<: ", "!!python/object:os.system ", "!!binary ",
    "!!float ", "!!int ", "!!bool ", "!!timestamp ", "!!set ", "!!omap ", "!!str ", "''",
    ".nan", ".inf", "-.inf", "NaN", "Infinity", "1e400", "9" * 400, "yes", "no", "on", "null", "~",
    "0", "-3", "0.0", "100", "1_000", "0x1F", "1:30", "2025-13-45", "2025-04-01", "'", '"', "#", "---\n", "...\n",
    "\t", "\x00", "\ufeff", "展示会", "ｔｈｒｅｓｈｏｌｄ",
])
yamlish = st.lists(FRAGMENTS, max_size=40).map("".join)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=10**300, max_value=10**320),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.sampled_from(["nan", "-inf", "1e999", "yes", "", " 5 ", "1,000", "１００"]),
)
structures = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.one_of(st.text(max_size=8), st.integers(), st.booleans()), inner,
                                            max_size=4)),
    max_leaves=25,
)
rule_sets = st.fixed_dictionaries({}, optional={
    "name": scalars, "threshold": scalars, "half_life_days": scalars,
    "points": st.one_of(structures, st.dictionaries(st.sampled_from(["email_open", "contact_form", "1", "x"]),
                                                    scalars, max_size=3)),
    "caps": st.one_of(structures, st.dictionaries(st.sampled_from(["email_open", "contact_form"]), scalars,
                                                  max_size=2)),
    "fit": st.one_of(structures, st.dictionaries(st.sampled_from(["industry", "job", "channel"]),
                                                 st.dictionaries(st.text(max_size=6), scalars, max_size=2),
                                                 max_size=2)),
})


@FUZZ
@given(text=st.one_of(st.text(max_size=2000), yamlish))
def test_any_text_is_a_sound_rule_set_or_a_clear_error(text):
    counted("rule texts")
    parsed_or_refused(parse_rules, text)


@FUZZ
@given(data=st.one_of(st.binary(max_size=2000), yamlish.map(lambda s: s.encode("utf-8")),
                      yamlish.map(lambda s: s.encode("utf-16")), yamlish.map(lambda s: s.encode("cp932", "replace"))))
def test_any_bytes_are_a_sound_rule_set_or_a_clear_error(data):
    counted("rule bytes")
    parsed_or_refused(parse_rules_bytes, data, "rules.yaml")


@FUZZ
@given(structure=st.one_of(rule_sets, structures), as_json=st.booleans())
def test_any_structure_is_a_sound_rule_set_or_a_clear_error(structure, as_json):
    counted("rule structures")
    text = (json.dumps(structure, default=str) if as_json  # JSON writes NaN/Infinity, as careless tools do
            else yaml.safe_dump(structure, allow_unicode=True))
    parsed_or_refused(parse_rules, text)


def no_constant(name: str) -> None:
    raise AssertionError(f"{name} in the printed JSON")


option_values = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 500),
                          st.sampled_from([0.0, -0.0, 1e-320, 1e9, 1e300]))


@CLI_FUZZ
@given(threshold=option_values, half_life=st.one_of(st.none(), option_values))
def test_scores_options_give_json_or_a_one_line_error(threshold, half_life, small_db_file: Path):
    counted("scores options")
    args = ["report", "scores", "--db", str(small_db_file), "--as-of", "2025-06-01", "--threshold", repr(threshold)]
    if half_life is not None:
        args += ["--half-life", repr(half_life)]
    result = cli.invoke(app, args)
    assert "Traceback" not in result.output
    if result.exit_code == 0:
        report = json.loads(result.stdout, parse_constant=no_constant)
        assert report["threshold"] == threshold
        return
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    expected = "--half-life" if math.isfinite(threshold) and 0 < threshold <= 1e9 else "--threshold"
    assert lines[0].startswith(f"error: {expected} must be a finite number"), lines[0]
    assert "None" not in lines[0]


option_text = st.one_of(st.text(max_size=12), st.sampled_from([",", ";", "\t", "|", ":", '"', "\n", "tab", "comma",
                                                                "utf-8", "cp932", "UTF-16", "latin-1", "klingon",
                                                                "Asia/Tokyo", "UTC", "Mars/Olympus", "../etc", ""]))


@CLI_FUZZ
@given(delimiter=st.none() | option_text, encoding=st.none() | option_text, zone=st.none() | option_text,
       dry_run=st.booleans())
def test_import_options_give_a_report_or_a_one_line_error(delimiter, encoding, zone, dry_run, tmp_path_factory):
    """Any --delimiter, --encoding and --timezone on the canonical path: an import (or a dry run) or one
    `error:` line naming the option's value, never a traceback; a refused option writes no database."""
    counted("import options")
    folder = tmp_path_factory.mktemp("options")
    (folder / "leads.csv").write_text("lead_id,created_at,channel,company,industry,company_size,owner,mql_at,sal_at,"
                                      "sql_at,opportunity_at,won_at,lost_at,amount\nO1,2025-04-01,seo,,,,,,,,,,,\n",
                                      encoding="utf-8")
    db = folder / "team.duckdb"
    args = ["import", str(folder / "leads.csv"), "--db", str(db)]
    for option, value in (("--delimiter", delimiter), ("--encoding", encoding), ("--timezone", zone)):
        if value is not None:
            args += [option, value]
    if dry_run:
        args.append("--dry-run")
    result = cli.invoke(app, args)
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    if result.exit_code != 0:
        assert result.exit_code == 1, result.output
        assert "error:" in result.output or "rejected:" in result.output, result.output
        assert not db.exists()
