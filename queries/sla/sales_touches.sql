-- Whether the data has any sales touch at all (of the policy's types, at or before the as-of instant). Without
-- one, follow-up compliance cannot be judged: the SLA says so instead of showing every hand-over as breached.
--   $touch_types : VARCHAR[] — activity types that count as a sales touch
--   $as_of       : TIMESTAMP
SELECT count(*) > 0 AS present
FROM (SELECT 1 FROM activities
      WHERE list_contains(CAST($touch_types AS VARCHAR[]), activity_type) AND occurred_at <= CAST($as_of AS TIMESTAMP)
      LIMIT 1)
