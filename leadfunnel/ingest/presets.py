"""What each tool's export calls the canonical fields, and how its values map onto ours.

A preset lists, per canonical lead field, the column names that tool writes (the first one present
wins) and how to translate its values (source → channel, employee counts → size bands). The generic
preset holds header synonyms in English and Japanese for spreadsheets made by hand.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

LEAD_FIELDS: tuple[str, ...] = ("lead_id", "created_at", "channel", "company", "industry", "company_size", "owner",
                                "mql_at", "sal_at", "sql_at", "opportunity_at", "won_at", "lost_at", "amount",
                                "job_title", "account_id")
# Fields that only identify a lead (not stored): a row without an id gets one made from these and its created date.
IDENTITY_FIELDS: tuple[str, ...] = ("name",)
# A touch written on the lead's row (HubSpot's Latest Source, a sheet's 最新の流入経路): stored as one activity of
# type `source_touch` with that channel and campaign, at touch_at (else at the lead's creation), for attribution.
TOUCH_FIELDS: tuple[str, ...] = ("touch_channel", "touch_campaign", "touch_at")
TOUCH_ACTIVITY = "source_touch"
TIMESTAMP_FIELDS = frozenset({"created_at", "mql_at", "sal_at", "sql_at", "opportunity_at", "won_at", "lost_at",
                              "touch_at"})
# Source values → canonical channel keys (matched case- and width-insensitively).
CHANNEL_VALUES: dict[str, str] = {
    # HubSpot "Original Source"
    "organic search": "seo", "direct traffic": "seo", "paid search": "listing_ads", "paid social": "sns_ads",
    "organic social": "sns", "social media": "sns", "email marketing": "email_newsletter", "referrals": "referral",
    "other campaigns": "display_ads", "offline sources": "business_card",
    # Plain source words of other exports and hand-kept sheets
    "display": "display_ads", "display ads": "display_ads", "social": "sns", "sns ads": "sns_ads",
    "organic": "seo", "paid": "listing_ads", "newsletter": "email_newsletter", "events": "trade_show",
    # Salesforce "Lead Source"
    "web": "seo", "website": "seo", "advertisement": "display_ads", "trade show": "trade_show", "webinar": "webinar",
    "seminar - internal": "seminar", "seminar - partner": "seminar", "seminar": "seminar",
    "partner referral": "referral", "employee referral": "referral", "external referral": "referral",
    "phone inquiry": "tele_appointment", "cold call": "tele_appointment", "purchased list": "business_card",
    "email": "email_newsletter", "whitepaper": "whitepaper", "white paper": "whitepaper",
    # Japanese spreadsheets
    "自然検索": "seo", "seo": "seo", "オウンドメディア": "seo", "seo/オウンドメディア": "seo",
    "リスティング広告": "listing_ads", "検索広告": "listing_ads", "ディスプレイ広告": "display_ads",
    "バナー広告": "display_ads", "sns広告": "sns_ads", "ホワイトペーパー": "whitepaper",
    "資料ダウンロード": "whitepaper", "資料請求": "whitepaper", "ウェビナー": "webinar",
    "sns": "sns", "メルマガ": "email_newsletter", "メールマガジン": "email_newsletter", "展示会": "trade_show",
    "セミナー": "seminar", "名刺交換": "business_card", "テレアポ": "tele_appointment", "紹介": "referral",
}

# Activity names in tool logs → canonical activity types.
ACTIVITY_VALUES: dict[str, str] = {
    "email read": "email_open", "email open": "email_open", "email opened": "email_open", "email click": "email_click",
    "page hit": "page_view", "page view": "page_view", "form submit": "contact_form", "form submitted": "contact_form",
    "asset download": "whitepaper_download", "download": "whitepaper_download",
    "webinar attended": "webinar_attended", "webinar registration": "webinar_registration",
    "メール開封": "email_open", "メールクリック": "email_click", "ページ閲覧": "page_view",
    "製品ページ閲覧": "product_page_view",
    "資料ダウンロード": "whitepaper_download", "ウェビナー参加": "webinar_attended", "問い合わせ": "contact_form",
}

# Employee counts or bands → the demo's size bands.
SIZE_BANDS: tuple[tuple[int, str], ...] = ((50, "1-49"), (300, "50-299"), (1000, "300-999"))


@dataclass(frozen=True)
class Preset:
    key: str
    label: str
    columns: dict[str, tuple[str, ...]]  # canonical field → candidate source columns
    id_prefix: str = ""  # rows are keyed by (source system, source id): "hubspot:123"
    signature: tuple[str, ...] = ()  # columns that identify this tool's export
    activity_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # An activity log's channel and campaign, where the export has them (optional: a log without them still reads).
    activity_touch_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)


HUBSPOT = Preset(
    "hubspot", "HubSpot contacts export",
    {
        "lead_id": ("Record ID", "Contact ID"),
        "created_at": ("Create Date", "Became a Lead Date"),
        "channel": ("Original Source", "Original source"),
        "company": ("Company Name", "Associated Company"),
        "industry": ("Industry",),
        "company_size": ("Number of Employees",),
        "owner": ("Contact owner", "HubSpot Owner"),
        "job_title": ("Job Title",),
        "account_id": ("Associated Company ID", "Associated Company IDs", "Company ID"),
        "mql_at": ("Became a Marketing Qualified Lead Date",),
        "sql_at": ("Became a Sales Qualified Lead Date",),
        "opportunity_at": ("Became an Opportunity Date",),
        "won_at": ("Became a Customer Date",),
        "email": ("Email",),
        "touch_channel": ("Latest Source", "Latest source"),
        "touch_campaign": ("Latest Source Drill-Down 1", "Latest source drill-down 1"),
        "touch_at": ("Latest Source Date", "Latest Source Timestamp", "Latest source date"),
    },
    id_prefix="hubspot:", signature=("Record ID", "Lifecycle Stage"),
)
SALESFORCE = Preset(
    "salesforce", "Salesforce leads (+ opportunities)",
    {
        "lead_id": ("Lead ID", "Id"),
        "created_at": ("Create Date", "CreatedDate"),
        "channel": ("Lead Source", "LeadSource"),
        "company": ("Company",),
        "industry": ("Industry",),
        "company_size": ("No. of Employees", "NumberOfEmployees"),
        "owner": ("Lead Owner", "OwnerId", "Owner"),
        "job_title": ("Title",),
        "account_id": ("Converted Account ID", "ConvertedAccountId", "Account ID", "AccountId"),
        "sql_at": ("Converted Date", "ConvertedDate"),
        "email": ("Email",),
    },
    id_prefix="salesforce:", signature=("Lead Source", "Lead Status"),
)
SALESFORCE_OPPORTUNITY_COLUMNS: dict[str, tuple[str, ...]] = {
    "opportunity_id": ("Opportunity ID", "Id"),
    "stage": ("Stage", "StageName"),
    "close_date": ("Close Date", "CloseDate"),
    "won": ("Won", "IsWon"),
    "amount": ("Amount",),
    "created_at": ("Created Date", "CreatedDate"),
}
SALESFORCE_CONVERTED_OPPORTUNITY = ("Converted Opportunity ID", "ConvertedOpportunityId")
# A Salesforce campaign-members report: each member who responded is a touch of the campaign's type.
SALESFORCE_CAMPAIGN_MEMBER_COLUMNS: dict[str, tuple[str, ...]] = {
    "lead_id": ("Lead ID", "LeadId"),
    "campaign": ("Campaign Name", "Campaign"),
    "campaign_type": ("Campaign Type", "Type"),
    "responded_at": ("First Responded Date", "Member First Responded Date", "FirstRespondedDate"),
}
CAMPAIGN_TYPE_ACTIVITIES: dict[str, str] = {  # Salesforce campaign types → canonical activity types
    "webinar": "webinar_attended", "trade show": "trade_show_visit", "conference": "trade_show_visit",
    "seminar": "seminar_attended", "seminar / conference": "seminar_attended", "email": "email_click",
    "content": "whitepaper_download", "whitepaper": "whitepaper_download",
}
MAUTIC = Preset(
    "mautic", "Mautic contacts (+ points log)",
    {
        "lead_id": ("id", "ID", "Contact ID"),
        "created_at": ("date_added", "Date Added", "dateAdded"),
        "channel": ("utm_source", "source", "Source"),
        "company": ("company", "Company"),
        "owner": ("owner", "Owner"),
        "job_title": ("position", "Position"),
        "account_id": ("company_id", "Company ID", "companyId"),
        "email": ("email", "Email"),
    },
    id_prefix="mautic:", signature=("points", "last_active"),
    activity_columns={"lead_id": ("contact_id", "Contact ID", "lead_id"),
                      "occurred_at": ("date_added", "Date Added", "dateAdded"),
                      "activity_type": ("event_name", "type", "Event name", "action")},
    activity_touch_columns={"channel": ("utm_source", "UTM Source", "channel", "Channel"),
                            "campaign": ("utm_campaign", "UTM Campaign", "campaign", "Campaign")},
)
GENERIC = Preset(
    "generic", "Spreadsheet (English or Japanese headers)",
    {
        "lead_id": ("lead_id", "リードID", "リードid", "顧客ID", "ID", "id", "No", "No.", "番号"),
        "created_at": ("created_at", "登録日", "登録日時", "作成日", "作成日時", "獲得日", "リード獲得日",
                       "Created", "Create Date"),
        "channel": ("channel", "流入経路", "リードソース", "獲得経路", "チャネル", "Source", "Lead Source"),
        "company": ("company", "会社名", "企業名", "社名", "Company", "Company Name"),
        "industry": ("industry", "業種", "Industry"),
        "company_size": ("company_size", "従業員数", "企業規模", "Employees", "Company Size"),
        "owner": ("owner", "担当者", "営業担当", "担当営業", "Owner"),
        "mql_at": ("mql_at", "MQL日", "MQL化日", "MQL Date"),
        "sal_at": ("sal_at", "SAL日", "SAL Date"),
        "sql_at": ("sql_at", "SQL日", "商談化日", "SQL Date"),
        "opportunity_at": ("opportunity_at", "商談日", "商談作成日", "Opportunity Date"),
        "won_at": ("won_at", "受注日", "成約日", "Won Date"),
        "lost_at": ("lost_at", "失注日", "Lost Date"),
        "amount": ("amount", "受注金額", "金額", "Amount"),
        "job_title": ("job_title", "役職", "職位", "肩書き", "Job Title", "Title"),
        "account_id": ("account_id", "会社ID", "取引先ID", "企業ID", "Account ID", "Company ID"),
        "email": ("email", "メールアドレス", "メール", "Email", "E-mail"),
        "name": ("name", "氏名", "名前", "お名前", "担当者名", "Name", "Full Name", "Contact Name"),
        "touch_channel": ("touch_channel", "最新の流入経路", "最終流入経路", "直近の流入経路", "Latest Source"),
        "touch_campaign": ("touch_campaign", "キャンペーン", "キャンペーン名", "Campaign", "Campaign Name"),
        "touch_at": ("touch_at", "最新の流入日", "最終流入日", "最終接触日", "Latest Source Date"),
    },
    activity_columns={"lead_id": ("lead_id", "リードID", "リードid"),
                      "occurred_at": ("occurred_at", "日時", "活動日時", "発生日時", "Occurred", "Date"),
                      "activity_type": ("activity_type", "活動", "活動種別", "アクション", "Activity",
                                        "Activity Type")},
    activity_touch_columns={
        "channel": ("channel", "チャネル", "流入経路", "流入元", "utm_source", "UTM Source", "Latest Source",
                    "Source", "Campaign Type", "キャンペーン種別"),
        "campaign": ("campaign", "キャンペーン", "キャンペーン名", "utm_campaign", "UTM Campaign", "Campaign Name",
                     "Campaign")},
)
PRESETS: dict[str, Preset] = {p.key: p for p in (HUBSPOT, SALESFORCE, MAUTIC, GENERIC)}


def fold(text: str) -> str:
    """Compare names and values width-, case- and space-insensitively (ＭＱＬ日 = mql日)."""
    return re.sub(r"[\s_]+", " ", unicodedata.normalize("NFKC", text)).strip().casefold()


def guess_preset(headers: list[str]) -> Preset:
    """The tool whose signature columns are all present, else the generic spreadsheet preset."""
    present = {fold(h) for h in headers}
    for preset in (HUBSPOT, SALESFORCE, MAUTIC):
        if all(fold(c) in present for c in preset.signature):
            return preset
    return GENERIC


def guess_mapping(headers: list[str], preset: Preset) -> dict[str, str]:
    """Canonical field → the source column that holds it, for every field the headers offer."""
    by_fold = {fold(h): h for h in headers}
    mapping = {}
    for field_name, candidates in preset.columns.items():
        for candidate in candidates:
            if fold(candidate) in by_fold:
                mapping[field_name] = by_fold[fold(candidate)]
                break
    return mapping


def channel_key(value: str) -> str:
    """A source's channel value as a canonical key; unknown values are kept as they are."""
    return CHANNEL_VALUES.get(fold(value), value.strip())


def activity_type(value: str) -> str:
    return ACTIVITY_VALUES.get(fold(value), fold(value).replace(" ", "_"))


def size_band(value: str) -> str:
    """`250` or `250人` → `50-299`; a band that is already text (`1-49`, `1,000以上`) is kept."""
    digits = unicodedata.normalize("NFKC", value).replace(",", "").strip().removesuffix("人").removesuffix("名")
    if not digits.isdigit():
        return value.strip()
    count = int(digits)
    return next((band for limit, band in SIZE_BANDS if count < limit), "1000+")
