-- Multi-touch attribution: how much of each outcome every channel (and campaign) earned, under every model at once
-- (so switching the model costs nothing). The definitions (docs/data-model.md, leadfunnel/attribution.py):
-- - converted: a lead whose outcome's effective time (as in the funnel: a skipped stage counts as passed) falls in
--   [$date_from, $date_to] (dates, inclusive; NULL = open); leads first pass the segment filters, as everywhere;
-- - touches: the lead's creation (at created_at, the lead's channel) and every activity at or before the conversion
--   instant that has a channel: its `channel` column when not empty, else its type's (webinar_registration and
--   webinar_attended → webinar, trade_show_visit → trade_show, seminar_attended → seminar, whitepaper_download →
--   whitepaper, email_open and email_click → email_newsletter); sales calls, sales emails and meetings never count.
--   Activities before the creation count (they come first). Order: by time; at one instant the creation first,
--   then by channel key;
-- - models (each converted lead gives exactly 1.0): first_touch, last_touch, linear (1/n each), position_based
--   (n = 1: 1; n = 2: ½ each; else 40 % first, 40 % last, 20 % split over the rest), time_decay
--   (0.5^(days before the conversion ÷ 7), normalised);
-- - amount: credit × the lead's amount, summed over the leads that have one (NULL when none has).
--   $outcomes : VARCHAR[] — stages to attribute ('lead' for cost per lead: its instant is the creation)
--   $channels, $industries, $company_sizes, $owners : VARCHAR[] (empty = all), on the lead's attributes
-- Rows by `level`: 'channel' = one per outcome × model × channel; 'campaign' = also per campaign (NULL: none);
-- 'month' = also per month of the conversion (YYYY-MM); 'converted' = the number of converted leads per outcome.
WITH converted AS (
    SELECT lead_id, stage AS outcome, entered_at AS converted_at, strftime(entered_at, '%Y-%m') AS month, channel,
           amount, created_at
    FROM lead_stage_entries
    WHERE list_contains(CAST($outcomes AS VARCHAR[]), stage)
      AND entered_at >= coalesce(CAST($date_from AS DATE), DATE '0001-01-01')
      AND entered_at <  coalesce(CAST($date_to AS DATE), DATE '9999-12-30') + INTERVAL 1 DAY
      AND in_segments(channel, industry, company_size, owner,
          CAST($channels AS VARCHAR[]), CAST($industries AS VARCHAR[]),
          CAST($company_sizes AS VARCHAR[]), CAST($owners AS VARCHAR[]))
),

-- Stored channels and campaigns are trimmed and empty as NULL (every import does that), so a plain IS NOT NULL and
-- an IN on the type keep the scan cheap: the type's channel is looked up only on the rows that need it.
activity_touches AS (
    SELECT
        lead_id, occurred_at,
        coalesce(channel, CASE activity_type
            WHEN 'webinar_registration' THEN 'webinar' WHEN 'webinar_attended' THEN 'webinar'
            WHEN 'trade_show_visit' THEN 'trade_show' WHEN 'seminar_attended' THEN 'seminar'
            WHEN 'whitepaper_download' THEN 'whitepaper'
            WHEN 'email_open' THEN 'email_newsletter' WHEN 'email_click' THEN 'email_newsletter'
        END) AS channel,
        campaign
    FROM activities
    WHERE (channel IS NOT NULL OR activity_type IN ('webinar_registration', 'webinar_attended', 'trade_show_visit',
                                                   'seminar_attended', 'whitepaper_download', 'email_open',
                                                   'email_click'))
      AND activity_type NOT IN ('sales_call', 'sales_email', 'meeting')
      AND lead_id IN (SELECT lead_id FROM converted)
),

touches AS (
    SELECT lead_id, outcome, converted_at, month, amount, created_at AS touched_at, 0 AS kind, channel,
           NULL::VARCHAR AS campaign
    FROM converted
    UNION ALL
    SELECT c.lead_id, c.outcome, c.converted_at, c.month, c.amount, a.occurred_at, 1, a.channel, a.campaign
    FROM converted AS c
    INNER JOIN activity_touches AS a USING (lead_id)
    WHERE a.occurred_at <= c.converted_at
),

-- Per lead and outcome: how many touches, the first and the last (by time, the creation first at one instant, then
-- by channel and campaign), and the time-decay total; then per lead, outcome, channel and campaign their count and
-- decay weight. The five models follow from these without ordering every touch.
per_lead AS (
    SELECT
        lead_id, outcome,
        count(*) AS n,
        arg_min({'channel': channel, 'campaign': campaign},
                (touched_at, kind, channel, coalesce(campaign, ''))) AS first,
        arg_max({'channel': channel, 'campaign': campaign},
                (touched_at, kind, channel, coalesce(campaign, ''))) AS last,
        sum(pow(0.5, (epoch_us(converted_at) - epoch_us(touched_at)) / 86400e6 / 7)) AS decay_total
    FROM touches
    GROUP BY lead_id, outcome
),

per_channel AS (
    SELECT
        lead_id, outcome, channel, campaign, any_value(month) AS month, any_value(amount) AS amount,
        count(*) AS touches,
        sum(pow(0.5, (epoch_us(converted_at) - epoch_us(touched_at)) / 86400e6 / 7)) AS decay
    FROM touches
    GROUP BY lead_id, outcome, channel, campaign
),

weighted AS (
    SELECT
        c.outcome, c.channel, c.campaign, c.month, c.amount,
        CASE WHEN is_first THEN 1.0 ELSE 0.0 END AS first_touch,
        CASE WHEN is_last THEN 1.0 ELSE 0.0 END AS last_touch,
        c.touches / l.n AS linear,
        CASE WHEN l.n = 1 THEN 1.0 WHEN l.n = 2 THEN c.touches * 0.5
             ELSE 0.4 * is_first::INT + 0.4 * is_last::INT
                  + 0.2 / (l.n - 2) * (c.touches - is_first::INT - is_last::INT) END AS position_based,
        c.decay / l.decay_total AS time_decay
    FROM per_channel AS c
    INNER JOIN per_lead AS l USING (lead_id, outcome),
    LATERAL (SELECT
        c.channel = l.first.channel AND c.campaign IS NOT DISTINCT FROM l.first.campaign AS is_first,
        c.channel = l.last.channel AND c.campaign IS NOT DISTINCT FROM l.last.campaign AS is_last)
),

credits AS (
    UNPIVOT weighted ON first_touch, last_touch, linear, position_based, time_decay INTO NAME model VALUE credit
)

SELECT
    outcome, model, channel, campaign, month,
    CASE WHEN GROUPING(campaign) = 0 THEN 'campaign' WHEN GROUPING(month) = 0 THEN 'month' ELSE 'channel' END AS level,
    sum(credit) AS credit, sum(credit * amount) AS amount, NULL::BIGINT AS converted
FROM credits
WHERE credit > 0
GROUP BY GROUPING SETS ((outcome, model, channel), (outcome, model, channel, campaign), (outcome, model, channel, month))
UNION ALL
SELECT outcome, NULL, NULL, NULL, NULL, 'converted', NULL, NULL, count(*)
FROM converted
GROUP BY outcome
