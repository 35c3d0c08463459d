"""Names of the canonical model that the code (not only the SQL) needs: stages, channels, activity types."""

STAGES: tuple[str, ...] = ("lead", "mql", "sal", "sql", "opportunity", "won")
STAGE_LABELS: dict[str, str] = {
    "lead": "Lead",
    "mql": "MQL",
    "sal": "SAL",
    "sql": "SQL",
    "opportunity": "Opportunity",
    "won": "Won",
}

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
