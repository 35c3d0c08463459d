-- One row per lead, one count column per canonical activity type: all activities, those strictly
-- before the lead's effective SQL time and those strictly before its won time. Rebuilt by every import
-- (leadfunnel.rollups.refresh) so that moving a scoring weight or threshold re-weights one row per
-- lead instead of re-scanning every activity. Column names: n_<type>, sql_<type>, won_<type>.
-- tests/unit/test_rollups.py checks that the columns match leadfunnel.model.ACTIVITY_TYPES.
CREATE OR REPLACE TABLE lead_activity_rollup AS
SELECT
    s.lead_id,
    max(a.occurred_at) AS last_activity_at,
    count(*) FILTER (WHERE a.activity_type = 'email_open') AS n_email_open,
    count(*) FILTER (WHERE a.activity_type = 'email_click') AS n_email_click,
    count(*) FILTER (WHERE a.activity_type = 'page_view') AS n_page_view,
    count(*) FILTER (WHERE a.activity_type = 'product_page_view') AS n_product_page_view,
    count(*) FILTER (WHERE a.activity_type = 'whitepaper_download') AS n_whitepaper_download,
    count(*) FILTER (WHERE a.activity_type = 'webinar_registration') AS n_webinar_registration,
    count(*) FILTER (WHERE a.activity_type = 'webinar_attended') AS n_webinar_attended,
    count(*) FILTER (WHERE a.activity_type = 'contact_form') AS n_contact_form,
    count(*) FILTER (WHERE a.activity_type = 'trade_show_visit') AS n_trade_show_visit,
    count(*) FILTER (WHERE a.activity_type = 'seminar_attended') AS n_seminar_attended,
    count(*) FILTER (WHERE a.activity_type = 'sales_call') AS n_sales_call,
    count(*) FILTER (WHERE a.activity_type = 'sales_email') AS n_sales_email,
    count(*) FILTER (WHERE a.activity_type = 'meeting') AS n_meeting,
    count(*) FILTER (WHERE a.activity_type = 'email_open' AND a.occurred_at < s.sql_entered_at) AS sql_email_open,
    count(*) FILTER (WHERE a.activity_type = 'email_click' AND a.occurred_at < s.sql_entered_at) AS sql_email_click,
    count(*) FILTER (WHERE a.activity_type = 'page_view' AND a.occurred_at < s.sql_entered_at) AS sql_page_view,
    count(*) FILTER (WHERE a.activity_type = 'product_page_view' AND a.occurred_at < s.sql_entered_at) AS sql_product_page_view,
    count(*) FILTER (WHERE a.activity_type = 'whitepaper_download' AND a.occurred_at < s.sql_entered_at) AS sql_whitepaper_download,
    count(*) FILTER (WHERE a.activity_type = 'webinar_registration' AND a.occurred_at < s.sql_entered_at) AS sql_webinar_registration,
    count(*) FILTER (WHERE a.activity_type = 'webinar_attended' AND a.occurred_at < s.sql_entered_at) AS sql_webinar_attended,
    count(*) FILTER (WHERE a.activity_type = 'contact_form' AND a.occurred_at < s.sql_entered_at) AS sql_contact_form,
    count(*) FILTER (WHERE a.activity_type = 'trade_show_visit' AND a.occurred_at < s.sql_entered_at) AS sql_trade_show_visit,
    count(*) FILTER (WHERE a.activity_type = 'seminar_attended' AND a.occurred_at < s.sql_entered_at) AS sql_seminar_attended,
    count(*) FILTER (WHERE a.activity_type = 'sales_call' AND a.occurred_at < s.sql_entered_at) AS sql_sales_call,
    count(*) FILTER (WHERE a.activity_type = 'sales_email' AND a.occurred_at < s.sql_entered_at) AS sql_sales_email,
    count(*) FILTER (WHERE a.activity_type = 'meeting' AND a.occurred_at < s.sql_entered_at) AS sql_meeting,
    count(*) FILTER (WHERE a.activity_type = 'email_open' AND a.occurred_at < s.won_entered_at) AS won_email_open,
    count(*) FILTER (WHERE a.activity_type = 'email_click' AND a.occurred_at < s.won_entered_at) AS won_email_click,
    count(*) FILTER (WHERE a.activity_type = 'page_view' AND a.occurred_at < s.won_entered_at) AS won_page_view,
    count(*) FILTER (WHERE a.activity_type = 'product_page_view' AND a.occurred_at < s.won_entered_at) AS won_product_page_view,
    count(*) FILTER (WHERE a.activity_type = 'whitepaper_download' AND a.occurred_at < s.won_entered_at) AS won_whitepaper_download,
    count(*) FILTER (WHERE a.activity_type = 'webinar_registration' AND a.occurred_at < s.won_entered_at) AS won_webinar_registration,
    count(*) FILTER (WHERE a.activity_type = 'webinar_attended' AND a.occurred_at < s.won_entered_at) AS won_webinar_attended,
    count(*) FILTER (WHERE a.activity_type = 'contact_form' AND a.occurred_at < s.won_entered_at) AS won_contact_form,
    count(*) FILTER (WHERE a.activity_type = 'trade_show_visit' AND a.occurred_at < s.won_entered_at) AS won_trade_show_visit,
    count(*) FILTER (WHERE a.activity_type = 'seminar_attended' AND a.occurred_at < s.won_entered_at) AS won_seminar_attended,
    count(*) FILTER (WHERE a.activity_type = 'sales_call' AND a.occurred_at < s.won_entered_at) AS won_sales_call,
    count(*) FILTER (WHERE a.activity_type = 'sales_email' AND a.occurred_at < s.won_entered_at) AS won_sales_email,
    count(*) FILTER (WHERE a.activity_type = 'meeting' AND a.occurred_at < s.won_entered_at) AS won_meeting
FROM lead_stages AS s
LEFT JOIN activities AS a USING (lead_id)
GROUP BY s.lead_id;
