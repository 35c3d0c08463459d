"""`python -m bench`: generate canonical data at any scale, or time the product against pandas and a floor."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from bench.generate import generate_tables, write_tables
from bench.run import run as run_benchmark


class OrderChoice(StrEnum):
    time = "time"
    lead = "lead"
    random = "random"


app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
err = Console(stderr=True)


@app.command()
def generate(
    out: Annotated[Path, typer.Option(help="Directory for leads/activities .csv and .parquet.")],
    leads: Annotated[int, typer.Option(min=1)] = 1_000_000,
    activities: Annotated[int, typer.Option(min=0)] = 20_000_000,
    seed: int = 7,
    order: Annotated[OrderChoice, typer.Option(help="Physical order of the activity rows: time (as exports come), "
                                                   "lead (grouped by lead) or random.")] = OrderChoice.time,
) -> None:
    """Write canonical data at the given scale (deterministic per seed)."""
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("Generating", total=1.0)
        tables = generate_tables(leads, activities, seed,
                                 lambda done, text: progress.update(task, completed=done, description=text),
                                 order=order.value)
        progress.update(task, completed=0.9, description="Writing CSV and Parquet")
        written = write_tables(tables, out)
    err.print(f"Wrote {', '.join(str(p) for p in written.values())} (and .parquet)", highlight=False)


@app.command()
def run(
    leads: Annotated[int, typer.Option(min=10)] = 1_000_000,
    activities: Annotated[int, typer.Option(min=10)] = 20_000_000,
    repeat: Annotated[int, typer.Option(min=2, help="Repetitions per interaction (p95 over them).")] = 10,
    keep: Annotated[Path | None, typer.Option(help="Keep the generated files and database here.")] = None,
) -> None:
    """Time import, cold start and every interaction; print a Markdown table with pandas and floor ratios."""
    run_benchmark(leads, activities, repeat, keep)


@app.command()
def pipeline(
    db: Annotated[Path, typer.Option(help="A database kept by `run --keep` (e.g. bench/out/1m/bench.duckdb).")],
    repeat: Annotated[int, typer.Option(min=2)] = 5,
) -> None:
    """The Pipeline and Velocity pages' work on an existing database: p50/p95 per section."""
    from bench.run import run_pipeline

    run_pipeline(db, repeat)


@app.command()
def load(
    leads: Annotated[int, typer.Option(min=100)] = 100_000,
    sessions: Annotated[int, typer.Option(min=1, max=32)] = 8,
    seconds: Annotated[float, typer.Option(min=5, max=600)] = 60,
    db: Annotated[Path | None, typer.Option(help="An existing database (e.g. from `run --keep`) instead of "
                                                 "a demo of --leads leads.")] = None,
) -> None:
    """Browser sessions changing filters and sliders at once on localhost: p50/p95, errors, bytes, memory."""
    from bench.load import run_load

    run_load(leads, sessions, seconds, db=db)


@app.command("first-open")
def first_open(
    rounds: Annotated[int, typer.Option(min=1, max=50)] = 5,
    db: Annotated[Path | None, typer.Option(help="A database to open instead of the bundled demo.")] = None,
    cached: Annotated[bool, typer.Option(help="Open each page in a new tab of one browser that keeps the app's "
                                              "code (a returning reader), not in a new browser context.")] = False,
) -> None:
    """Each page's first open in a new browser session against a hello-world page (one metric, one chart)."""
    from bench.first_open import run_first_open

    run_first_open(rounds, db, cached=cached)


if __name__ == "__main__":
    app()
