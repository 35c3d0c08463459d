-- The same scores as lead_scores.sql without decay, from the per-lead rollup instead of every activity:
-- the rollup counts every stored activity, so the activities at or after the as-of instant (none, at the
-- default as-of; a time-range scan otherwise) are taken off again. leadfunnel.scoring.scores uses it when the
-- rules have no decay and give points only to canonical types (one rollup column each), and lead_scores.sql
-- otherwise; tests/unit/test_scoring.py compares the two.
--   score = fit + Σ_type min(cap, points · count before as-of)   ($points_<type> 0 when the rules give none,
--   $cap_<type> NULL for no cap). tests/unit/test_rollups.py checks the types against leadfunnel.model.
WITH fit_rules AS (
    SELECT
        unnest(CAST($fit_attributes AS VARCHAR[])) AS attribute,
        unnest(CAST($fit_values AS VARCHAR[]))     AS value,
        unnest(CAST($fit_points AS DOUBLE[]))      AS points
),

-- $lead_ids: only these leads (NULL: every lead), e.g. the hand-overs the SLA page lists.
wanted AS (
    SELECT unnest(CAST($lead_ids AS VARCHAR[])) AS lead_id
),

scored_leads AS (
    SELECT lead_id, coalesce(channel, 'unknown') AS channel, industry, company_size, owner, job_title
    FROM leads
    WHERE created_at < CAST($as_of AS TIMESTAMP)
        AND ($lead_ids IS NULL OR lead_id IN (SELECT lead_id FROM wanted))
),

fit AS (
    SELECT l.lead_id, sum(f.points) AS points
    FROM scored_leads AS l
    INNER JOIN fit_rules AS f
        ON (f.attribute = 'industry' AND l.industry = f.value)
        OR (f.attribute = 'company_size' AND l.company_size = f.value)
        OR (f.attribute = 'channel' AND l.channel = f.value)
        OR (f.attribute = 'owner' AND l.owner = f.value)
        OR (f.attribute = 'job_title' AND l.job_title = f.value)
    GROUP BY l.lead_id
),

late AS (
    SELECT
        lead_id,
        count(*) FILTER (WHERE activity_type = 'email_open') AS n_email_open,
        count(*) FILTER (WHERE activity_type = 'email_click') AS n_email_click,
        count(*) FILTER (WHERE activity_type = 'page_view') AS n_page_view,
        count(*) FILTER (WHERE activity_type = 'product_page_view') AS n_product_page_view,
        count(*) FILTER (WHERE activity_type = 'whitepaper_download') AS n_whitepaper_download,
        count(*) FILTER (WHERE activity_type = 'webinar_registration') AS n_webinar_registration,
        count(*) FILTER (WHERE activity_type = 'webinar_attended') AS n_webinar_attended,
        count(*) FILTER (WHERE activity_type = 'contact_form') AS n_contact_form,
        count(*) FILTER (WHERE activity_type = 'trade_show_visit') AS n_trade_show_visit,
        count(*) FILTER (WHERE activity_type = 'seminar_attended') AS n_seminar_attended,
        count(*) FILTER (WHERE activity_type = 'sales_call') AS n_sales_call,
        count(*) FILTER (WHERE activity_type = 'sales_email') AS n_sales_email,
        count(*) FILTER (WHERE activity_type = 'meeting') AS n_meeting
    FROM activities
    WHERE occurred_at >= CAST($as_of AS TIMESTAMP)
        AND ($lead_ids IS NULL OR lead_id IN (SELECT lead_id FROM wanted))
    GROUP BY lead_id
)

SELECT
    l.lead_id,
    coalesce(fit.points, 0)
        + least(coalesce($cap_email_open, 'infinity'::DOUBLE), (coalesce(r.n_email_open, 0) - coalesce(late.n_email_open, 0)) * $points_email_open)
        + least(coalesce($cap_email_click, 'infinity'::DOUBLE), (coalesce(r.n_email_click, 0) - coalesce(late.n_email_click, 0)) * $points_email_click)
        + least(coalesce($cap_page_view, 'infinity'::DOUBLE), (coalesce(r.n_page_view, 0) - coalesce(late.n_page_view, 0)) * $points_page_view)
        + least(coalesce($cap_product_page_view, 'infinity'::DOUBLE), (coalesce(r.n_product_page_view, 0) - coalesce(late.n_product_page_view, 0)) * $points_product_page_view)
        + least(coalesce($cap_whitepaper_download, 'infinity'::DOUBLE), (coalesce(r.n_whitepaper_download, 0) - coalesce(late.n_whitepaper_download, 0)) * $points_whitepaper_download)
        + least(coalesce($cap_webinar_registration, 'infinity'::DOUBLE), (coalesce(r.n_webinar_registration, 0) - coalesce(late.n_webinar_registration, 0)) * $points_webinar_registration)
        + least(coalesce($cap_webinar_attended, 'infinity'::DOUBLE), (coalesce(r.n_webinar_attended, 0) - coalesce(late.n_webinar_attended, 0)) * $points_webinar_attended)
        + least(coalesce($cap_contact_form, 'infinity'::DOUBLE), (coalesce(r.n_contact_form, 0) - coalesce(late.n_contact_form, 0)) * $points_contact_form)
        + least(coalesce($cap_trade_show_visit, 'infinity'::DOUBLE), (coalesce(r.n_trade_show_visit, 0) - coalesce(late.n_trade_show_visit, 0)) * $points_trade_show_visit)
        + least(coalesce($cap_seminar_attended, 'infinity'::DOUBLE), (coalesce(r.n_seminar_attended, 0) - coalesce(late.n_seminar_attended, 0)) * $points_seminar_attended)
        + least(coalesce($cap_sales_call, 'infinity'::DOUBLE), (coalesce(r.n_sales_call, 0) - coalesce(late.n_sales_call, 0)) * $points_sales_call)
        + least(coalesce($cap_sales_email, 'infinity'::DOUBLE), (coalesce(r.n_sales_email, 0) - coalesce(late.n_sales_email, 0)) * $points_sales_email)
        + least(coalesce($cap_meeting, 'infinity'::DOUBLE), (coalesce(r.n_meeting, 0) - coalesce(late.n_meeting, 0)) * $points_meeting) AS score
FROM scored_leads AS l
LEFT JOIN lead_activity_rollup AS r USING (lead_id)
LEFT JOIN late USING (lead_id)
LEFT JOIN fit USING (lead_id)
ORDER BY l.lead_id
