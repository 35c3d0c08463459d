"""`python -m leadfunnel`: import exports, build the demo, print reports — the scriptable surface."""

from __future__ import annotations

import typer

from leadfunnel.cli import imports, maintenance, meeting_pack, reports

# Commands are registered here, in the order `--help` lists them; each module holds one concern's commands.
app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
app.command("import")(imports.import_files)
app.command("demo")(maintenance.demo)

report_app = typer.Typer(no_args_is_help=True, help="Print a report as JSON (default), CSV or a table.")
app.add_typer(report_app, name="report")
report_app.command("funnel")(reports.report_funnel)
report_app.command("channels")(reports.report_channels)
report_app.command("scores")(reports.report_scores)

app.command("backup")(maintenance.backup_command)
app.command("restore")(maintenance.restore_command)

report_app.command("sla")(reports.report_sla)
report_app.command("aging")(reports.report_aging)
report_app.command("velocity")(reports.report_velocity)
report_app.command("attribution")(reports.report_attribution)

app.command("pack")(meeting_pack.pack)
app.command("upgrade")(maintenance.upgrade)
