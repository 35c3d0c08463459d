"""Deterministic demo data that looks like a real Japanese B2B company's exports.

About 5,000 leads over 18 months, 13 channels, ~30 activities per lead whose mix depends on the
channel and on the lead's (hidden) buying intent, and the mess real exports have: stage skipping,
recycled leads, lost deals, slow or missing sales follow-up, leads with no activity.
MQL happens when the guide's behaviour score (whitepaper +10, webinar +20, product page +5,
email open +3, contact form +50) reaches 100, so scoring analyses find a real signal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from leadfunnel.i18n import t
from leadfunnel.ingest.write import write_tables
from leadfunnel.model import TABLE_SCHEMAS
from leadfunnel.storage import build_file

Progress = Callable[[float, str], None]

END = datetime(2026, 10, 31, 23, 59)
DAYS = 548  # 18 months
HANDOVER_POINTS = {"whitepaper_download": 10, "webinar_attended": 20, "product_page_view": 5,
                   "email_open": 3, "contact_form": 50}
HANDOVER_THRESHOLD = 100


@dataclass(frozen=True)
class ChannelProfile:
    share: float          # share of all leads
    intent: tuple[float, float]  # beta distribution of buying intent
    activity_rate: float  # mean marketing activities per lead
    first_touch: str      # activity that created the lead
    skip_to_sql: float    # probability sales qualifies directly (no MQL/SAL recorded)


CHANNELS: dict[str, ChannelProfile] = {
    "seo": ChannelProfile(0.16, (2.0, 5.0), 30, "page_view", 0.0),
    "listing_ads": ChannelProfile(0.12, (2.2, 4.5), 26, "contact_form", 0.0),
    "display_ads": ChannelProfile(0.09, (1.2, 7.0), 22, "page_view", 0.0),
    "sns_ads": ChannelProfile(0.07, (1.4, 6.0), 22, "page_view", 0.0),
    "whitepaper": ChannelProfile(0.13, (2.0, 4.5), 32, "whitepaper_download", 0.0),
    "webinar": ChannelProfile(0.10, (2.6, 4.0), 34, "webinar_attended", 0.0),
    "sns": ChannelProfile(0.05, (1.5, 6.0), 24, "page_view", 0.0),
    "email_newsletter": ChannelProfile(0.06, (1.8, 5.0), 40, "email_open", 0.0),
    "trade_show": ChannelProfile(0.08, (2.2, 4.5), 26, "trade_show_visit", 0.15),
    "seminar": ChannelProfile(0.04, (3.0, 3.5), 28, "seminar_attended", 0.15),
    "business_card": ChannelProfile(0.04, (1.6, 5.0), 18, "trade_show_visit", 0.25),
    "tele_appointment": ChannelProfile(0.03, (1.5, 5.5), 12, "sales_call", 0.35),
    "referral": ChannelProfile(0.03, (4.0, 2.5), 16, "meeting", 0.45),
}
MARKETING_TYPES = ("email_open", "email_click", "page_view", "product_page_view", "whitepaper_download",
                   "webinar_registration", "webinar_attended", "contact_form")
# Base mix of marketing activities, and how much high intent shifts weight toward each type.
BASE_MIX = np.array([0.50, 0.11, 0.22, 0.07, 0.04, 0.025, 0.02, 0.005])
INTENT_TILT = np.array([0.0, 0.05, 0.0, 0.10, 0.03, 0.02, 0.03, 0.015])

INDUSTRIES = ("Manufacturing", "IT / Software", "Retail", "Finance", "Healthcare", "Logistics",
              "Construction", "Education")
COMPANY_SIZES = ("1-49", "50-299", "300-999", "1000+")
OWNERS = ("佐藤 健", "鈴木 花子", "高橋 翔", "田中 美咲", "伊藤 大輔", "Emily Clark")
JA_STEMS = ("山田", "東京", "日本", "未来", "大和", "富士", "青葉", "北斗", "桜井", "光陽", "髙島", "浪速",
            "みらい", "中央", "東洋", "さくら")
JA_SUFFIXES = ("製作所", "システム", "商事", "工業", "テクノロジー", "ソリューションズ", "物産", "電機",
               "ホールディングス", "ロジスティクス")
EN_STEMS = ("Acme", "Northwind", "Blue Harbor", "Pioneer", "Summit", "Vertex", "Orion", "Lumen",
            "Kestrel", "Brightline", "Cobalt", "Evergreen")
EN_SUFFIXES = ("Corp.", "Inc.", "Systems", "Labs", "Trading", "Group", "Partners")
DECISION_MAKERS = ("部長", "事業部長", "取締役", "Director", "VP Marketing")
STAFF = ("担当者", "主任", "課長", "Manager", "Specialist")
# Monthly marketing spend per channel, in yen (about what a mid-sized B2B team spends); referrals cost nothing.
MONTHLY_SPEND = {"seo": 400_000, "listing_ads": 900_000, "display_ads": 500_000, "sns_ads": 350_000,
                 "whitepaper": 250_000, "webinar": 300_000, "sns": 80_000, "email_newsletter": 60_000,
                 "trade_show": 1_200_000, "seminar": 400_000, "business_card": 20_000, "tele_appointment": 600_000}
REJECT_REASONS = ("Not ready — recycled to nurturing", "No budget this year", "Wrong contact person",
                  "Student or competitor", "Duplicate of an existing account")
RECYCLED = REJECT_REASONS[0]


def generate(n_leads: int = 5000, seed: int = 42, progress: Progress | None = None) -> dict[str, pl.DataFrame]:
    """The demo tables as frames in the canonical schema. Same arguments, same data."""
    rng = np.random.default_rng(seed)
    start = END - timedelta(days=DAYS)
    channel_keys = list(CHANNELS)
    shares = np.array([CHANNELS[c].share for c in channel_keys])
    channels = rng.choice(len(channel_keys), size=n_leads, p=shares / shares.sum())
    # Lead volume grows over the period; fewer leads on weekends.
    day_weights = np.linspace(0.7, 1.3, DAYS) * np.where((np.arange(DAYS) + start.weekday()) % 7 >= 5, 0.25, 1.0)
    days = np.sort(rng.choice(DAYS, size=n_leads, p=day_weights / day_weights.sum()))
    seconds = rng.integers(9 * 3600, 19 * 3600, size=n_leads)

    leads, activities, feedback = [], [], []
    for i in range(n_leads):
        channel = channel_keys[channels[i]]
        created = start + timedelta(days=int(days[i]), seconds=int(seconds[i]))
        lead, acts, fb = _simulate_lead(rng, f"L{i + 1:06d}", channel, created)
        leads.append(lead)
        activities += acts
        feedback += fb
        if progress and i % 500 == 0:
            progress(i / n_leads, t("demo.simulating", i=i + 1, n=n_leads))
    if progress:
        progress(1.0, t("demo.simulated"))
    # Job titles from their own random stream (the rest of the demo stays as it was): people who can
    # decide are more common among leads that became SQL, so fit points by role have a signal.
    titles = np.random.default_rng(seed + 1)
    leads = [(*lead, str(titles.choice(DECISION_MAKERS if titles.random() < (0.55 if lead[9] else 0.25)
                                       else STAFF)), None) for lead in leads]  # no account id: by company name
    return {
        "spend": _spend(start, np.random.default_rng(seed + 2)),
        "leads": pl.DataFrame(leads, schema=TABLE_SCHEMAS["leads"], orient="row"),
        "activities": pl.DataFrame([(*activity, None, None) for activity in activities],  # no channel column
                                   schema=TABLE_SCHEMAS["activities"], orient="row")
        .sort("occurred_at", "lead_id"),
        "feedback": pl.DataFrame(feedback, schema=TABLE_SCHEMAS["feedback"], orient="row"),
    }


def build_demo_database(path: Path, n_leads: int = 5000, seed: int = 42, progress: Progress | None = None) -> None:
    """(Re)build the demo database file; the old file stays in place until the new one is complete."""
    tables = generate(n_leads, seed, progress)

    def fill(con):
        write_tables(con, **tables)

    build_file(path, fill, kind="demo")


def _spend(start: datetime, rng: np.random.Generator) -> pl.DataFrame:
    """Spend per month and channel over the demo's months (±25 % month to month); the webinars by campaign."""
    rows = []
    month = start.replace(day=1)
    while month <= END:
        for channel, base in MONTHLY_SPEND.items():
            campaign = f"{month:%Y-%m} webinar" if channel == "webinar" else None
            rows.append((f"{month:%Y-%m}", channel, campaign, float(round(base * rng.uniform(0.75, 1.25), -3))))
        month = (month + timedelta(days=32)).replace(day=1)
    return pl.DataFrame(rows, schema=TABLE_SCHEMAS["spend"], orient="row")


def _company(rng: np.random.Generator) -> str:
    if rng.random() < 0.65:
        name = f"{rng.choice(JA_STEMS)}{rng.choice(JA_SUFFIXES)}"
        return f"株式会社{name}" if rng.random() < 0.6 else f"{name}株式会社"
    return f"{rng.choice(EN_STEMS)} {rng.choice(EN_SUFFIXES)}"


def _simulate_lead(rng: np.random.Generator, lead_id: str, channel: str, created: datetime):
    profile = CHANNELS[channel]
    intent = float(rng.beta(*profile.intent))
    size = COMPANY_SIZES[rng.choice(4, p=[0.3, 0.35, 0.2, 0.15])]
    owner = OWNERS[rng.integers(len(OWNERS))]
    acts: list[tuple] = []
    feedback: list[tuple] = []

    def act(at: datetime, kind: str, detail: str | None = None) -> None:
        if at <= END:
            acts.append((lead_id, at, kind, detail))

    # Marketing behaviour: a first touch from the channel, then a nurturing history.
    silent = rng.random() < 0.02
    if not silent:
        act(created, profile.first_touch, channel)
        n = rng.poisson(1.4 * profile.activity_rate * (0.4 + 1.6 * intent))
        mix = BASE_MIX + intent * INTENT_TILT
        kinds = rng.choice(len(MARKETING_TYPES), size=n, p=mix / mix.sum())
        offsets = np.sort(rng.exponential(20 + 60 * (1 - intent), size=n))
        for kind, offset in zip(kinds, offsets, strict=True):
            at = created + timedelta(days=float(offset), seconds=int(rng.integers(0, 9 * 3600)))
            act(at, MARKETING_TYPES[kind])

    # MQL when the behaviour score reaches the hand-over threshold.
    mql_at = sal_at = sql_at = opp_at = won_at = lost_at = None
    amount = None
    running = 0
    for _, at, kind, _ in sorted(acts, key=lambda a: a[1]):
        running += HANDOVER_POINTS.get(kind, 0)
        if running >= HANDOVER_THRESHOLD:
            mql_at = at
            break

    qualified_from = None
    if rng.random() < profile.skip_to_sql * (0.5 + intent):
        # Sales met them directly (business cards, referrals, calls): SQL with no MQL or SAL recorded.
        qualified_from = created + timedelta(days=float(rng.gamma(2.0, 6.0)))
    elif mql_at is not None:
        # Hand-over: sales follows up (sometimes slowly, sometimes never) and gives feedback.
        followed_up = rng.random() > 0.08
        delay = timedelta(hours=float(rng.lognormal(np.log(18), 1.0)))
        touch_at = mql_at + delay
        if followed_up:
            act(touch_at, "sales_call" if rng.random() < 0.7 else "sales_email")
        if followed_up and rng.random() < 0.55 + 0.4 * intent:
            sal_at = touch_at
            feedback.append((lead_id, touch_at + timedelta(hours=2), "accepted", None))
            if rng.random() < 0.2 + 0.7 * intent:
                qualified_from = sal_at + timedelta(days=float(rng.gamma(2.0, 5.0)))
        elif rng.random() < 0.85:
            reason = REJECT_REASONS[rng.choice(5, p=[0.45, 0.2, 0.15, 0.1, 0.1])]
            feedback.append((lead_id, (touch_at if followed_up else mql_at + timedelta(days=3)), "rejected", reason))
            if reason == RECYCLED and rng.random() < 0.25 + 0.5 * intent:
                # Recycled to nurturing, qualified later: SQL without a recorded SAL.
                qualified_from = touch_at + timedelta(days=float(rng.gamma(3.0, 20.0)))

    if qualified_from is not None and qualified_from <= END:
        sql_at = qualified_from
        act(sql_at, "meeting")
        if rng.random() < 0.75:
            opp_at = sql_at + timedelta(days=float(rng.gamma(2.0, 4.0)))
            size_factor = {"1-49": 0.4, "50-299": 1.0, "300-999": 2.2, "1000+": 4.5}[size]
            amount = round(float(rng.lognormal(np.log(1_800_000 * size_factor), 0.6)), -3)
            closes = opp_at + timedelta(days=float(rng.gamma(3.0, 15.0)))
            if rng.random() < 0.25 + 0.45 * intent:
                won_at = closes
            else:
                lost_at = closes
    stamps = [mql_at, sal_at, sql_at, opp_at, won_at, lost_at]
    mql_at, sal_at, sql_at, opp_at, won_at, lost_at = (s if s is not None and s <= END else None for s in stamps)
    if opp_at is None:
        amount = None
    lead = (lead_id, created, channel, _company(rng), INDUSTRIES[rng.integers(len(INDUSTRIES))], size, owner,
            mql_at, sal_at, sql_at, opp_at, won_at, lost_at, amount)
    return lead, acts, [f for f in feedback if f[1] <= END]
