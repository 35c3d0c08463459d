-- One row per lead, one count column per canonical activity type: all activities, those strictly
-- before the lead's effective SQL time and those strictly before its won time. Rebuilt by every import
-- (leadfunnel.rollups.refresh) so that moving a scoring weight or threshold re-weights one row per
-- lead instead of re-scanning every activity. Column names: n_<type>, sql_<type>, won_<type>.
-- tests/unit/test_rollups.py checks that the columns match leadfunnel.model.ACTIVITY_TYPES.
-- The activities are first counted per (lead, type) — one pass, three counts — and only those few
-- rows are spread into columns.
CREATE OR REPLACE TABLE lead_activity_rollup AS
WITH per_type AS (
    SELECT
        s.lead_id,
        a.activity_type,
        max(a.occurred_at) AS last_at,
        count(a.lead_id) AS total,
        count(a.lead_id) FILTER (WHERE a.occurred_at < s.sql_entered_at) AS before_sql,
        count(a.lead_id) FILTER (WHERE a.occurred_at < s.won_entered_at) AS before_won
    FROM lead_stages AS s
    LEFT JOIN activities AS a USING (lead_id)
    GROUP BY ALL
),

per_lead AS (
    SELECT
        lead_id,
        max(last_at) AS last_activity_at,
        coalesce(sum(total) FILTER (WHERE activity_type = 'email_open'), 0)::BIGINT AS n_email_open,
        coalesce(sum(total) FILTER (WHERE activity_type = 'email_click'), 0)::BIGINT AS n_email_click,
        coalesce(sum(total) FILTER (WHERE activity_type = 'page_view'), 0)::BIGINT AS n_page_view,
        coalesce(sum(total) FILTER (WHERE activity_type = 'product_page_view'), 0)::BIGINT AS n_product_page_view,
        coalesce(sum(total) FILTER (WHERE activity_type = 'whitepaper_download'), 0)::BIGINT AS n_whitepaper_download,
        coalesce(sum(total) FILTER (WHERE activity_type = 'webinar_registration'), 0)::BIGINT AS n_webinar_registration,
        coalesce(sum(total) FILTER (WHERE activity_type = 'webinar_attended'), 0)::BIGINT AS n_webinar_attended,
        coalesce(sum(total) FILTER (WHERE activity_type = 'contact_form'), 0)::BIGINT AS n_contact_form,
        coalesce(sum(total) FILTER (WHERE activity_type = 'trade_show_visit'), 0)::BIGINT AS n_trade_show_visit,
        coalesce(sum(total) FILTER (WHERE activity_type = 'seminar_attended'), 0)::BIGINT AS n_seminar_attended,
        coalesce(sum(total) FILTER (WHERE activity_type = 'sales_call'), 0)::BIGINT AS n_sales_call,
        coalesce(sum(total) FILTER (WHERE activity_type = 'sales_email'), 0)::BIGINT AS n_sales_email,
        coalesce(sum(total) FILTER (WHERE activity_type = 'meeting'), 0)::BIGINT AS n_meeting,
        coalesce(sum(before_sql) FILTER (WHERE activity_type = 'email_open'), 0)::BIGINT AS sql_email_open,
        coalesce(sum(before_sql) FILTER (WHERE activity_type = 'email_click'), 0)::BIGINT AS sql_email_click,
        coalesce(sum(before_sql) FILTER (WHERE activity_type = 'page_view'), 0)::BIGINT AS sql_page_view,
        coalesce(sum(before_sql) FILTER (WHERE activity_type = 'product_page_view'), 0)::BIGINT AS sql_product_page_view,
        coalesce(sum(before_sql) FILTER (WHERE activity_type = 'whitepaper_download'), 0)::BIGINT AS sql_whitepaper_download,
        coalesce(sum(before_sql) FILTER (WHERE activity_type = 'webinar_registration'), 0)::BIGINT AS sql_webinar_registration,
        coalesce(sum(before_sql) FILTER (WHERE activity_type = 'webinar_attended'), 0)::BIGINT AS sql_webinar_attended,
        coalesce(sum(before_sql) FILTER (WHERE activity_type = 'contact_form'), 0)::BIGINT AS sql_contact_form,
        coalesce(sum(before_sql) FILTER (WHERE activity_type = 'trade_show_visit'), 0)::BIGINT AS sql_trade_show_visit,
        coalesce(sum(before_sql) FILTER (WHERE activity_type = 'seminar_attended'), 0)::BIGINT AS sql_seminar_attended,
        coalesce(sum(before_sql) FILTER (WHERE activity_type = 'sales_call'), 0)::BIGINT AS sql_sales_call,
        coalesce(sum(before_sql) FILTER (WHERE activity_type = 'sales_email'), 0)::BIGINT AS sql_sales_email,
        coalesce(sum(before_sql) FILTER (WHERE activity_type = 'meeting'), 0)::BIGINT AS sql_meeting,
        coalesce(sum(before_won) FILTER (WHERE activity_type = 'email_open'), 0)::BIGINT AS won_email_open,
        coalesce(sum(before_won) FILTER (WHERE activity_type = 'email_click'), 0)::BIGINT AS won_email_click,
        coalesce(sum(before_won) FILTER (WHERE activity_type = 'page_view'), 0)::BIGINT AS won_page_view,
        coalesce(sum(before_won) FILTER (WHERE activity_type = 'product_page_view'), 0)::BIGINT AS won_product_page_view,
        coalesce(sum(before_won) FILTER (WHERE activity_type = 'whitepaper_download'), 0)::BIGINT AS won_whitepaper_download,
        coalesce(sum(before_won) FILTER (WHERE activity_type = 'webinar_registration'), 0)::BIGINT AS won_webinar_registration,
        coalesce(sum(before_won) FILTER (WHERE activity_type = 'webinar_attended'), 0)::BIGINT AS won_webinar_attended,
        coalesce(sum(before_won) FILTER (WHERE activity_type = 'contact_form'), 0)::BIGINT AS won_contact_form,
        coalesce(sum(before_won) FILTER (WHERE activity_type = 'trade_show_visit'), 0)::BIGINT AS won_trade_show_visit,
        coalesce(sum(before_won) FILTER (WHERE activity_type = 'seminar_attended'), 0)::BIGINT AS won_seminar_attended,
        coalesce(sum(before_won) FILTER (WHERE activity_type = 'sales_call'), 0)::BIGINT AS won_sales_call,
        coalesce(sum(before_won) FILTER (WHERE activity_type = 'sales_email'), 0)::BIGINT AS won_sales_email,
        coalesce(sum(before_won) FILTER (WHERE activity_type = 'meeting'), 0)::BIGINT AS won_meeting
    FROM per_type
    GROUP BY lead_id
)

SELECT * FROM per_lead;
