-- One row per lead, one count column per canonical activity type: all activities, those strictly
-- before the lead's effective SQL time and those strictly before its won time. Rebuilt by every import
-- (database.refresh_rollups) so that moving a scoring weight or threshold re-weights one row per
-- lead instead of re-scanning every activity. Column names: n_<type>, before_sql_<type>, before_won_<type>.
-- The lines ending in "for each activity type" are written once per type of leadfunnel.model.ACTIVITY_TYPES
-- ({type}: the type, {code}: its position; database.read_sql), so the columns follow the model.
-- Speed (20M activities): the one pass over the activities groups by a single integer key packing
-- (lead number, type code) — grouping by the string lead id and type with
-- filtered counts was several times slower. Type code 0 is a type outside the canonical list: it only
-- counts towards last_activity_at (16 codes per lead: at most 15 canonical types). The grouped rows (one per lead
-- and type) are then spread into columns by one join per type code on that key, not by a second group-by: its 40
-- aggregate states per lead needed more memory than the import leaves (it spilled, 9 s of thread time against 2 for
-- the joins).
-- last_sales_call_at, last_sales_email_at, last_meeting_at: the lead's latest sales touch of each kind, so that
-- stuck leads at the data's now (queries/pipeline/open_leads.sql) need not group every sales touch again.
-- other_activities counts a lead's activities of other types, so that the rollup accounts for every activity
-- that belongs to a stored lead (queries/data/unmatched_activities.sql: imports check nothing is left over).
CREATE OR REPLACE TABLE lead_activity_rollup AS
WITH lead_numbers AS (
    SELECT row_number() OVER () AS lead_number, lead_id, sql_entered_at, won_entered_at
    FROM lead_stage_times
),

per_type AS (
    SELECT
        s.lead_number * 16 + coalesce(list_position([
            '{type}',  -- for each activity type
        ], a.activity_type), 0) AS key,
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
    greatest(t_other.last_at
        , t_{type}.last_at  -- for each activity type
    ) AS last_activity_at,
    t_sales_call.last_at AS last_sales_call_at,
    t_sales_email.last_at AS last_sales_email_at,
    t_meeting.last_at AS last_meeting_at,
    coalesce(t_other.total, 0)::BIGINT AS other_activities,
    coalesce(t_{type}.total, 0)::BIGINT AS n_{type},  -- for each activity type
    coalesce(t_{type}.before_sql, 0)::BIGINT AS before_sql_{type},  -- for each activity type
    coalesce(t_{type}.before_won, 0)::BIGINT AS before_won_{type},  -- for each activity type
FROM lead_numbers AS s
LEFT JOIN (SELECT * FROM per_type WHERE key % 16 = 0) AS t_other ON t_other.key = s.lead_number * 16 + 0
LEFT JOIN (SELECT * FROM per_type WHERE key % 16 = {code}) AS t_{type} ON t_{type}.key = s.lead_number * 16 + {code}  -- for each activity type
;
