"""Names of the canonical model that the code (not only the SQL) needs: the tables' columns and types, stages,
channels, activity types."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

# The canonical tables as every import writes them (queries/model/01_tables.sql holds the same columns).
LEAD_SCHEMA: dict[str, pl.DataType] = {
    "lead_id": pl.String(),
    "created_at": pl.Datetime("us"),
    "channel": pl.String(),
    "company": pl.String(),
    "industry": pl.String(),
    "company_size": pl.String(),
    "owner": pl.String(),
    "mql_at": pl.Datetime("us"),
    "sal_at": pl.Datetime("us"),
    "sql_at": pl.Datetime("us"),
    "opportunity_at": pl.Datetime("us"),
    "won_at": pl.Datetime("us"),
    "lost_at": pl.Datetime("us"),
    "amount": pl.Float64(),
    "job_title": pl.String(),  # added in schema version 6
    "account_id": pl.String(),  # last: added in schema version 9 (the funnel by account)
}
ACTIVITY_SCHEMA: dict[str, pl.DataType] = {
    "lead_id": pl.String(),
    "occurred_at": pl.Datetime("us"),
    "activity_type": pl.String(),
    "detail": pl.String(),
    "channel": pl.String(),  # added in schema version 11 (attribution): the touch's channel, when the export has one
    "campaign": pl.String(),
}
FEEDBACK_SCHEMA: dict[str, pl.DataType] = {
    "lead_id": pl.String(),
    "at": pl.Datetime("us"),
    "verdict": pl.String(),
    "reason": pl.String(),
}
SPEND_SCHEMA: dict[str, pl.DataType] = {  # schema version 11: marketing spend per month and channel
    "month": pl.String(),  # YYYY-MM
    "channel": pl.String(),
    "campaign": pl.String(),
    "amount": pl.Float64(),
}
TABLE_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "leads": LEAD_SCHEMA,
    "activities": ACTIVITY_SCHEMA,
    "feedback": FEEDBACK_SCHEMA,
    "spend": SPEND_SCHEMA,
}
# The SQL type of each Polars type in the schemas above (the DDL's column types).
SQL_TYPES: dict[pl.DataType, str] = {pl.String(): "VARCHAR", pl.Datetime("us"): "TIMESTAMP", pl.Float64(): "DOUBLE"}

# Canonical first-touch channels. Imported values outside this list are kept as they are.
CHANNEL_LABELS: dict[str, str] = {
    "seo": "SEO / owned media",
    "listing_ads": "Listing (search) ads",
    "display_ads": "Display ads",
    "sns_ads": "SNS ads",
    "whitepaper": "Whitepaper",
    "webinar": "Webinar",
    "sns": "SNS posts",
    "email_newsletter": "Email newsletter",
    "trade_show": "Trade show",
    "seminar": "Seminar",
    "business_card": "Business-card exchange",
    "tele_appointment": "Tele-appointment",
    "referral": "Referral",
}

ACTIVITY_TYPES: tuple[str, ...] = (
    "email_open",
    "email_click",
    "page_view",
    "product_page_view",
    "whitepaper_download",
    "webinar_registration",
    "webinar_attended",
    "contact_form",
    "trade_show_visit",
    "seminar_attended",
    "sales_call",
    "sales_email",
    "meeting",
)

FEEDBACK_VERDICTS: tuple[str, ...] = ("accepted", "rejected")


def labelled(frame: pl.DataFrame, column: str, label: Callable[[str], str], alias: str | None = None) -> pl.DataFrame:
    """`column` as labels in the reader's language (in place, or added as `alias`).

    The labels are looked up here, in the script's thread, once per distinct value: Polars runs
    `map_elements` on its own threads, where the reader's language (a context variable) is not set.
    """
    mapping = {value: label(value) for value in frame[column].unique().drop_nulls().to_list()}
    return frame.with_columns(pl.col(column).replace_strict(mapping, default=None, return_dtype=pl.String)
                              .alias(alias or column))


def channel_label(channel: str) -> str:
    """Human label of a channel key in the reader's language; unknown (imported) values are shown as they are."""
    from leadfunnel.i18n import t  # the catalogue imports nothing from here; avoid a cycle at import time

    return t(f"channel.{channel}") if channel in CHANNEL_LABELS or channel == "unknown" else channel


def activity_label(activity_type: str) -> str:
    """Human label of an activity type in the reader's language; other (imported) types as they are."""
    from leadfunnel.i18n import t

    return t(f"activity.{activity_type}") if activity_type in ACTIVITY_TYPES else activity_type


def stage_label(stage: str) -> str:
    from leadfunnel.i18n import t

    return t(f"stage.{stage}")
