"""`pack`: the meeting pack as one self-contained HTML file, for a scheduler."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from leadfunnel.asof import default_as_of
from leadfunnel.cli.opening import open_for_reading
from leadfunnel.cli.options import (
    DEFAULT_MODEL_CHOICE,
    DEFAULT_OUTCOME_CHOICE,
    AsOfOption,
    ByOption,
    ChannelOption,
    DbOption,
    FromOption,
    ModeChoice,
    ModelChoice,
    ModeOption,
    OutcomeChoice,
    ToOption,
    UnitChoice,
    date_of,
)
from leadfunnel.cli.output import fail, say
from leadfunnel.filters import Filters
from leadfunnel.i18n import set_language
from leadfunnel.pack import build_pack
from leadfunnel.scoring.rules import DEFAULT_RULES, RuleSetError, load_rules_file
from leadfunnel.sla.policy import load_policy


class LanguageChoice(StrEnum):
    en = "en"
    ja = "ja"


def pack(
    out: Annotated[Path, typer.Option("--out", help="The HTML file to write.")],
    db: DbOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    mode: ModeOption = ModeChoice.period,
    channel: ChannelOption = None,
    rules_file: Annotated[Path | None, typer.Option("--rules", help="Proposed scoring rules (YAML or JSON) to "
                                                    "compare with the guide's default.")] = None,
    as_of: AsOfOption = None,
    lang: Annotated[LanguageChoice, typer.Option("--lang", help="Language of the pack.")] = LanguageChoice.en,
    model: Annotated[ModelChoice, typer.Option(help="Attribution model of the channel credit table.")]
    = DEFAULT_MODEL_CHOICE,
    outcome: Annotated[OutcomeChoice, typer.Option(help="The conversion that table credits.")]
    = DEFAULT_OUTCOME_CHOICE,
    by: ByOption = UnitChoice.lead,
) -> None:
    """Write the meeting pack: one self-contained HTML file (funnel, channels, scoring, SLA) for a scheduler."""
    try:
        proposed = load_rules_file(rules_file) if rules_file else None
    except (OSError, RuleSetError) as error:
        raise fail(f"{rules_file}: {error}") from None
    set_language(lang.value)
    filters = Filters(date_from=date_of(date_from), date_to=date_of(date_to), channels=tuple(channel or ()),
                      unit=by.value)
    with open_for_reading(db) as runner:
        instant = as_of or default_as_of(runner)
        document = build_pack(runner, filters, mode.value, DEFAULT_RULES, proposed, load_policy(runner.con), instant,
                              (model.value, outcome.value))
    try:
        out.write_text(document, encoding="utf-8")
    except IsADirectoryError:
        raise fail(f"{out} is a folder; give --out a file name, e.g. {out / 'meeting-pack.html'}") from None
    except OSError as error:
        raise fail(f"cannot write {out}: {error.strerror or error}") from None
    say(f"Wrote the meeting pack to {out} ({len(document) / 1e6:.1f} MB).")
