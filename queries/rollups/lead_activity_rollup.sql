-- One row per lead, one count column per canonical activity type: all activities, those strictly
-- before the lead's effective SQL time and those strictly before its won time. Rebuilt by every import
-- (database.refresh_rollups) so that moving a scoring weight or threshold re-weights one row per
-- lead instead of re-scanning every activity. Column names: n_<type>, sql_<type>, won_<type>.
-- tests/unit/test_rollups.py checks that the columns match leadfunnel.model.ACTIVITY_TYPES.
-- Speed (20M activities): the one pass over the activities groups by a single integer key packing
-- (lead number, type code) — grouping by the string lead id and type with
-- filtered counts was several times slower. Type code 0 is a type outside the canonical list: it only
-- counts towards last_activity_at. The grouped rows (one per lead and type) are then spread into
-- columns by one join per type code on that key, not by a second group-by: its 40 aggregate states per
-- lead needed more memory than the import leaves (it spilled, 9 s of thread time against 2 for the joins).
-- last_sales_call_at, last_sales_email_at, last_meeting_at: the lead's latest sales touch of each kind, so that
-- stuck leads at the data's now (queries/pipeline/open_leads.sql) need not group every sales touch again.
-- other_activities counts a lead's activities of other types, so that the rollup accounts for every activity
-- that belongs to a stored lead (queries/data/unmatched_activities.sql: imports check nothing is left over).
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
)

-- greatest() skips NULLs: NULL only for a lead without activities.
SELECT
    s.lead_id,
    greatest(t0.last_at, t1.last_at, t2.last_at, t3.last_at, t4.last_at, t5.last_at, t6.last_at, t7.last_at, t8.last_at, t9.last_at, t10.last_at, t11.last_at, t12.last_at, t13.last_at) AS last_activity_at,
    t11.last_at AS last_sales_call_at,
    t12.last_at AS last_sales_email_at,
    t13.last_at AS last_meeting_at,
    coalesce(t0.total, 0)::BIGINT AS other_activities,
    coalesce(t1.total, 0)::BIGINT AS n_email_open,
    coalesce(t2.total, 0)::BIGINT AS n_email_click,
    coalesce(t3.total, 0)::BIGINT AS n_page_view,
    coalesce(t4.total, 0)::BIGINT AS n_product_page_view,
    coalesce(t5.total, 0)::BIGINT AS n_whitepaper_download,
    coalesce(t6.total, 0)::BIGINT AS n_webinar_registration,
    coalesce(t7.total, 0)::BIGINT AS n_webinar_attended,
    coalesce(t8.total, 0)::BIGINT AS n_contact_form,
    coalesce(t9.total, 0)::BIGINT AS n_trade_show_visit,
    coalesce(t10.total, 0)::BIGINT AS n_seminar_attended,
    coalesce(t11.total, 0)::BIGINT AS n_sales_call,
    coalesce(t12.total, 0)::BIGINT AS n_sales_email,
    coalesce(t13.total, 0)::BIGINT AS n_meeting,
    coalesce(t1.before_sql, 0)::BIGINT AS sql_email_open,
    coalesce(t2.before_sql, 0)::BIGINT AS sql_email_click,
    coalesce(t3.before_sql, 0)::BIGINT AS sql_page_view,
    coalesce(t4.before_sql, 0)::BIGINT AS sql_product_page_view,
    coalesce(t5.before_sql, 0)::BIGINT AS sql_whitepaper_download,
    coalesce(t6.before_sql, 0)::BIGINT AS sql_webinar_registration,
    coalesce(t7.before_sql, 0)::BIGINT AS sql_webinar_attended,
    coalesce(t8.before_sql, 0)::BIGINT AS sql_contact_form,
    coalesce(t9.before_sql, 0)::BIGINT AS sql_trade_show_visit,
    coalesce(t10.before_sql, 0)::BIGINT AS sql_seminar_attended,
    coalesce(t11.before_sql, 0)::BIGINT AS sql_sales_call,
    coalesce(t12.before_sql, 0)::BIGINT AS sql_sales_email,
    coalesce(t13.before_sql, 0)::BIGINT AS sql_meeting,
    coalesce(t1.before_won, 0)::BIGINT AS won_email_open,
    coalesce(t2.before_won, 0)::BIGINT AS won_email_click,
    coalesce(t3.before_won, 0)::BIGINT AS won_page_view,
    coalesce(t4.before_won, 0)::BIGINT AS won_product_page_view,
    coalesce(t5.before_won, 0)::BIGINT AS won_whitepaper_download,
    coalesce(t6.before_won, 0)::BIGINT AS won_webinar_registration,
    coalesce(t7.before_won, 0)::BIGINT AS won_webinar_attended,
    coalesce(t8.before_won, 0)::BIGINT AS won_contact_form,
    coalesce(t9.before_won, 0)::BIGINT AS won_trade_show_visit,
    coalesce(t10.before_won, 0)::BIGINT AS won_seminar_attended,
    coalesce(t11.before_won, 0)::BIGINT AS won_sales_call,
    coalesce(t12.before_won, 0)::BIGINT AS won_sales_email,
    coalesce(t13.before_won, 0)::BIGINT AS won_meeting
FROM lead_numbers AS s
LEFT JOIN (SELECT * FROM per_type WHERE key % 16 = 0) AS t0 ON t0.key = s.lead_number * 16 + 0
LEFT JOIN (SELECT * FROM per_type WHERE key % 16 = 1) AS t1 ON t1.key = s.lead_number * 16 + 1
LEFT JOIN (SELECT * FROM per_type WHERE key % 16 = 2) AS t2 ON t2.key = s.lead_number * 16 + 2
LEFT JOIN (SELECT * FROM per_type WHERE key % 16 = 3) AS t3 ON t3.key = s.lead_number * 16 + 3
LEFT JOIN (SELECT * FROM per_type WHERE key % 16 = 4) AS t4 ON t4.key = s.lead_number * 16 + 4
LEFT JOIN (SELECT * FROM per_type WHERE key % 16 = 5) AS t5 ON t5.key = s.lead_number * 16 + 5
LEFT JOIN (SELECT * FROM per_type WHERE key % 16 = 6) AS t6 ON t6.key = s.lead_number * 16 + 6
LEFT JOIN (SELECT * FROM per_type WHERE key % 16 = 7) AS t7 ON t7.key = s.lead_number * 16 + 7
LEFT JOIN (SELECT * FROM per_type WHERE key % 16 = 8) AS t8 ON t8.key = s.lead_number * 16 + 8
LEFT JOIN (SELECT * FROM per_type WHERE key % 16 = 9) AS t9 ON t9.key = s.lead_number * 16 + 9
LEFT JOIN (SELECT * FROM per_type WHERE key % 16 = 10) AS t10 ON t10.key = s.lead_number * 16 + 10
LEFT JOIN (SELECT * FROM per_type WHERE key % 16 = 11) AS t11 ON t11.key = s.lead_number * 16 + 11
LEFT JOIN (SELECT * FROM per_type WHERE key % 16 = 12) AS t12 ON t12.key = s.lead_number * 16 + 12
LEFT JOIN (SELECT * FROM per_type WHERE key % 16 = 13) AS t13 ON t13.key = s.lead_number * 16 + 13;
