-- Activities that belong to no stored lead: every activity minus those the per-lead rollup counted (it joins
-- activities to leads, so a stored activity without its lead is in the first count only). An import runs this
-- inside its transaction, after the rollups are rebuilt, and rolls back when it is not 0 — the check rides on
-- the rollup's join instead of a second pass over every activity.
SELECT
    (SELECT count(*) FROM activities)
    - (SELECT coalesce(sum(
        other_activities
        + n_email_open
        + n_email_click
        + n_page_view
        + n_product_page_view
        + n_whitepaper_download
        + n_webinar_registration
        + n_webinar_attended
        + n_contact_form
        + n_trade_show_visit
        + n_seminar_attended
        + n_sales_call
        + n_sales_email
        + n_meeting), 0) FROM lead_activity_rollup) AS unmatched
