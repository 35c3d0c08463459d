-- The latest timestamp anywhere in the data: the default as-of is the start of the next day.
SELECT greatest(
    (SELECT max(occurred_at) FROM activities),
    (SELECT max(greatest(created_at, mql_at, sal_at, sql_at, opportunity_at, won_at, lost_at)) FROM leads)
) AS last_seen
