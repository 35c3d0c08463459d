"""The per-lead activity rollup (`lead_activity_rollup`), built from `lead_events` in one streamed pass.

One row per lead (every lead, with or without activities), stored in lead-number order (= lead_id order), with
the lead's number and the attributes and effective stage times the scoring fast path reads (as
queries/scoring/backtest_leads.sql names them), so that path reads this one table without a join or a sort:
- `n_<type>`: its activities of each canonical type (leadfunnel.model.ACTIVITY_TYPES);
- `before_sql_<type>` / `before_won_<type>`: those strictly before its effective SQL / won time (0 without one);
- `other_activities`: its activities of other types, so that the rollup accounts for every activity of a stored
  lead (queries/data/unmatched_activities.sql: an import checks nothing is left over);
- `last_activity_at`, and `last_sales_call_at` / `last_sales_email_at` / `last_meeting_at`: its latest activity
  and latest sales touch of each kind (stuck leads at the data's now), NULL without one.
Moving a scoring weight or threshold then re-weights one row per lead instead of re-reading every activity.

Why numpy and not SQL: the events are integers already (lead number, µs, type code), so the counts are bincounts
over `lead number × 16 + type code` and the latest times one `maximum.at` — 1.5 s at 20M events where DuckDB's
group-by with one join per type took 7–9 s (bench/RESULTS.md). The events are read in batches, so memory stays at
four arrays of 16 entries per lead whatever the number of events.
"""

from __future__ import annotations

import duckdb
import numpy as np
import polars as pl

from leadfunnel.model import ACTIVITY_TYPES

TABLE = "lead_activity_rollup"
CODES_PER_LEAD = 16  # code 0: a type outside the canonical list; 1…15: the canonical types in order
SALES_TOUCHES = ("sales_call", "sales_email", "meeting")  # their latest time per lead is kept
BATCH_ROWS = 2_000_000
_NEVER = np.iinfo(np.int64).min  # "no such time": nothing is before it, and it is the identity of max

if len(ACTIVITY_TYPES) >= CODES_PER_LEAD:
    raise ValueError(f"the rollup packs at most {CODES_PER_LEAD - 1} canonical activity types per lead")


def build(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create the table from lead_numbers, event_types, lead_events and the leads' effective stage times."""
    leads = con.execute("""
        SELECT epoch_us(s.sql_entered_at) AS sql_us, epoch_us(s.won_entered_at) AS won_us
        FROM lead_numbers AS n
        LEFT JOIN lead_stage_times AS s USING (lead_id)
        ORDER BY n.lead_number""").pl()
    model_code = con.execute("SELECT model_code FROM event_types ORDER BY type_code").pl()["model_code"].to_numpy()
    n = leads.height
    sql_us = leads["sql_us"].fill_null(_NEVER).to_numpy()
    won_us = leads["won_us"].fill_null(_NEVER).to_numpy()
    total = np.zeros(n * CODES_PER_LEAD, dtype=np.int32)  # 32-bit counts while summing: half the memory
    before_sql = np.zeros_like(total)
    before_won = np.zeros_like(total)
    last = np.full(n * CODES_PER_LEAD, _NEVER, dtype=np.int64)

    reader = con.execute("SELECT lead_number, at_us, type_code FROM lead_events").to_arrow_reader(BATCH_ROWS)
    for batch in reader:
        lead = batch.column(0).to_numpy().astype(np.int64)
        at = batch.column(1).to_numpy()
        key = lead * CODES_PER_LEAD + model_code[batch.column(2).to_numpy()]
        total += np.bincount(key, minlength=len(total))
        before_sql += np.bincount(key[at < sql_us[lead]], minlength=len(total))
        before_won += np.bincount(key[at < won_us[lead]], minlength=len(total))
        np.maximum.at(last, key, at)

    per_lead = (n, CODES_PER_LEAD)
    counts, sql_counts, won_counts, latest = (a.reshape(per_lead) for a in (total, before_sql, before_won, last))
    frame = pl.DataFrame({
        "lead_number": np.arange(n, dtype=np.int32),
        "last_activity_at": _timestamps(latest.max(axis=1)),
        **{f"last_{t}_at": _timestamps(latest[:, ACTIVITY_TYPES.index(t) + 1]) for t in SALES_TOUCHES},
        "other_activities": counts[:, 0],
        **{f"n_{t}": counts[:, code] for code, t in enumerate(ACTIVITY_TYPES, 1)},
        **{f"before_sql_{t}": sql_counts[:, code] for code, t in enumerate(ACTIVITY_TYPES, 1)},
        **{f"before_won_{t}": won_counts[:, code] for code, t in enumerate(ACTIVITY_TYPES, 1)},
    })
    del total, before_sql, before_won, last, counts, sql_counts, won_counts, latest
    con.register("activity_rollup_frame", frame.to_arrow())
    try:  # the counts are stored as BIGINT, as every count column of the model
        con.execute(f"""
            CREATE OR REPLACE TABLE {TABLE} AS
            SELECT s.lead_id, n.lead_number, s.channel, s.industry, s.company_size, s.owner, s.company, s.job_title,
                   s.lead_entered_at AS created_at, s.mql_entered_at AS mql_at, s.sql_entered_at AS sql_at,
                   s.won_entered_at AS won_at,
                   COLUMNS('^last_.*_at$'),
                   COLUMNS('^(other_activities|n_.*|before_sql_.*|before_won_.*)$')::BIGINT
            FROM activity_rollup_frame
            INNER JOIN lead_numbers AS n USING (lead_number)
            INNER JOIN lead_stage_times AS s USING (lead_id)
            ORDER BY n.lead_number""")
    finally:
        con.unregister("activity_rollup_frame")


def _timestamps(us: np.ndarray) -> pl.Series:
    """µs since the epoch as timestamps, NULL where there was no such activity."""
    return pl.Series(us).cast(pl.Datetime("us")).set(pl.Series(us == _NEVER), None)
