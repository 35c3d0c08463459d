-- One row per lead, one count column per canonical activity type: all activities, those strictly
-- before the lead's effective SQL time and those strictly before its won time. Rebuilt by every import
-- (database.refresh_rollups) so that moving a scoring weight or threshold re-weights one row per
-- lead instead of re-scanning every activity. Column names: n_<type>, sql_<type>, won_<type>.
-- tests/unit/test_rollups.py checks that the columns match leadfunnel.model.ACTIVITY_TYPES.
-- Speed (20M activities): the one pass over the activities groups by a single integer key packing
-- (lead number, type code) — grouping by the string lead id and type with
-- filtered counts was several times slower. Type code 0 is a type outside the canonical list: it only
-- counts towards last_activity_at. Only the few grouped rows are then spread into columns, with CASE
-- (a FILTER per column costs more) and max (one row per lead and type; a sum would widen to HUGEINT).
CREATE OR REPLACE TABLE lead_activity_rollup AS
WITH lead_numbers AS (
    SELECT row_number() OVER () AS lead_number, lead_id, sql_entered_at, won_entered_at
    FROM lead_stages
),

per_type AS (
    SELECT
        s.lead_number * 16 + coalesce(list_position(['email_open', 'email_click', 'page_view', 'product_page_view', 'whitepaper_download', 'webinar_registration', 'webinar_attended', 'contact_form', 'trade_show_visit', 'seminar_attended', 'sales_call', 'sales_email', 'meeting'], a.activity_type), 0) AS key,
        max(a.occurred_at) AS last_at,
        count(*) AS total,
        sum(CASE WHEN a.occurred_at < s.sql_entered_at THEN 1 ELSE 0 END)::BIGINT AS before_sql,
        sum(CASE WHEN a.occurred_at < s.won_entered_at THEN 1 ELSE 0 END)::BIGINT AS before_won
    FROM activities AS a
    INNER JOIN lead_numbers AS s USING (lead_id)
    GROUP BY key
),

per_lead AS (
    SELECT
        key // 16 AS lead_number,
        max(last_at) AS last_activity_at,
        max(CASE WHEN key % 16 = 1 THEN total END) AS total_email_open,
        max(CASE WHEN key % 16 = 2 THEN total END) AS total_email_click,
        max(CASE WHEN key % 16 = 3 THEN total END) AS total_page_view,
        max(CASE WHEN key % 16 = 4 THEN total END) AS total_product_page_view,
        max(CASE WHEN key % 16 = 5 THEN total END) AS total_whitepaper_download,
        max(CASE WHEN key % 16 = 6 THEN total END) AS total_webinar_registration,
        max(CASE WHEN key % 16 = 7 THEN total END) AS total_webinar_attended,
        max(CASE WHEN key % 16 = 8 THEN total END) AS total_contact_form,
        max(CASE WHEN key % 16 = 9 THEN total END) AS total_trade_show_visit,
        max(CASE WHEN key % 16 = 10 THEN total END) AS total_seminar_attended,
        max(CASE WHEN key % 16 = 11 THEN total END) AS total_sales_call,
        max(CASE WHEN key % 16 = 12 THEN total END) AS total_sales_email,
        max(CASE WHEN key % 16 = 13 THEN total END) AS total_meeting,
        max(CASE WHEN key % 16 = 1 THEN before_sql END) AS before_sql_email_open,
        max(CASE WHEN key % 16 = 2 THEN before_sql END) AS before_sql_email_click,
        max(CASE WHEN key % 16 = 3 THEN before_sql END) AS before_sql_page_view,
        max(CASE WHEN key % 16 = 4 THEN before_sql END) AS before_sql_product_page_view,
        max(CASE WHEN key % 16 = 5 THEN before_sql END) AS before_sql_whitepaper_download,
        max(CASE WHEN key % 16 = 6 THEN before_sql END) AS before_sql_webinar_registration,
        max(CASE WHEN key % 16 = 7 THEN before_sql END) AS before_sql_webinar_attended,
        max(CASE WHEN key % 16 = 8 THEN before_sql END) AS before_sql_contact_form,
        max(CASE WHEN key % 16 = 9 THEN before_sql END) AS before_sql_trade_show_visit,
        max(CASE WHEN key % 16 = 10 THEN before_sql END) AS before_sql_seminar_attended,
        max(CASE WHEN key % 16 = 11 THEN before_sql END) AS before_sql_sales_call,
        max(CASE WHEN key % 16 = 12 THEN before_sql END) AS before_sql_sales_email,
        max(CASE WHEN key % 16 = 13 THEN before_sql END) AS before_sql_meeting,
        max(CASE WHEN key % 16 = 1 THEN before_won END) AS before_won_email_open,
        max(CASE WHEN key % 16 = 2 THEN before_won END) AS before_won_email_click,
        max(CASE WHEN key % 16 = 3 THEN before_won END) AS before_won_page_view,
        max(CASE WHEN key % 16 = 4 THEN before_won END) AS before_won_product_page_view,
        max(CASE WHEN key % 16 = 5 THEN before_won END) AS before_won_whitepaper_download,
        max(CASE WHEN key % 16 = 6 THEN before_won END) AS before_won_webinar_registration,
        max(CASE WHEN key % 16 = 7 THEN before_won END) AS before_won_webinar_attended,
        max(CASE WHEN key % 16 = 8 THEN before_won END) AS before_won_contact_form,
        max(CASE WHEN key % 16 = 9 THEN before_won END) AS before_won_trade_show_visit,
        max(CASE WHEN key % 16 = 10 THEN before_won END) AS before_won_seminar_attended,
        max(CASE WHEN key % 16 = 11 THEN before_won END) AS before_won_sales_call,
        max(CASE WHEN key % 16 = 12 THEN before_won END) AS before_won_sales_email,
        max(CASE WHEN key % 16 = 13 THEN before_won END) AS before_won_meeting
    FROM per_type
    GROUP BY ALL
)

SELECT
    s.lead_id,
    p.last_activity_at,
    coalesce(p.total_email_open, 0)::BIGINT AS n_email_open,
    coalesce(p.total_email_click, 0)::BIGINT AS n_email_click,
    coalesce(p.total_page_view, 0)::BIGINT AS n_page_view,
    coalesce(p.total_product_page_view, 0)::BIGINT AS n_product_page_view,
    coalesce(p.total_whitepaper_download, 0)::BIGINT AS n_whitepaper_download,
    coalesce(p.total_webinar_registration, 0)::BIGINT AS n_webinar_registration,
    coalesce(p.total_webinar_attended, 0)::BIGINT AS n_webinar_attended,
    coalesce(p.total_contact_form, 0)::BIGINT AS n_contact_form,
    coalesce(p.total_trade_show_visit, 0)::BIGINT AS n_trade_show_visit,
    coalesce(p.total_seminar_attended, 0)::BIGINT AS n_seminar_attended,
    coalesce(p.total_sales_call, 0)::BIGINT AS n_sales_call,
    coalesce(p.total_sales_email, 0)::BIGINT AS n_sales_email,
    coalesce(p.total_meeting, 0)::BIGINT AS n_meeting,
    coalesce(p.before_sql_email_open, 0)::BIGINT AS sql_email_open,
    coalesce(p.before_sql_email_click, 0)::BIGINT AS sql_email_click,
    coalesce(p.before_sql_page_view, 0)::BIGINT AS sql_page_view,
    coalesce(p.before_sql_product_page_view, 0)::BIGINT AS sql_product_page_view,
    coalesce(p.before_sql_whitepaper_download, 0)::BIGINT AS sql_whitepaper_download,
    coalesce(p.before_sql_webinar_registration, 0)::BIGINT AS sql_webinar_registration,
    coalesce(p.before_sql_webinar_attended, 0)::BIGINT AS sql_webinar_attended,
    coalesce(p.before_sql_contact_form, 0)::BIGINT AS sql_contact_form,
    coalesce(p.before_sql_trade_show_visit, 0)::BIGINT AS sql_trade_show_visit,
    coalesce(p.before_sql_seminar_attended, 0)::BIGINT AS sql_seminar_attended,
    coalesce(p.before_sql_sales_call, 0)::BIGINT AS sql_sales_call,
    coalesce(p.before_sql_sales_email, 0)::BIGINT AS sql_sales_email,
    coalesce(p.before_sql_meeting, 0)::BIGINT AS sql_meeting,
    coalesce(p.before_won_email_open, 0)::BIGINT AS won_email_open,
    coalesce(p.before_won_email_click, 0)::BIGINT AS won_email_click,
    coalesce(p.before_won_page_view, 0)::BIGINT AS won_page_view,
    coalesce(p.before_won_product_page_view, 0)::BIGINT AS won_product_page_view,
    coalesce(p.before_won_whitepaper_download, 0)::BIGINT AS won_whitepaper_download,
    coalesce(p.before_won_webinar_registration, 0)::BIGINT AS won_webinar_registration,
    coalesce(p.before_won_webinar_attended, 0)::BIGINT AS won_webinar_attended,
    coalesce(p.before_won_contact_form, 0)::BIGINT AS won_contact_form,
    coalesce(p.before_won_trade_show_visit, 0)::BIGINT AS won_trade_show_visit,
    coalesce(p.before_won_seminar_attended, 0)::BIGINT AS won_seminar_attended,
    coalesce(p.before_won_sales_call, 0)::BIGINT AS won_sales_call,
    coalesce(p.before_won_sales_email, 0)::BIGINT AS won_sales_email,
    coalesce(p.before_won_meeting, 0)::BIGINT AS won_meeting
FROM lead_numbers AS s
LEFT JOIN per_lead AS p USING (lead_number);
