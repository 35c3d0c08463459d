-- Every activity type in the data, in name order: type_code is its position (0, 1, …), the code lead_events
-- and the backtest's replay use; model_code its position in leadfunnel.model.ACTIVITY_TYPES (1, 2, …; 0 for a
-- type outside that list), the code the per-lead rollup counts by.
CREATE OR REPLACE TABLE event_types AS
SELECT
    (row_number() OVER (ORDER BY activity_type) - 1)::SMALLINT AS type_code,
    activity_type,
    coalesce(list_position([
        '{type}',  -- for each activity type
    ], activity_type), 0)::SMALLINT AS model_code
FROM (SELECT DISTINCT activity_type FROM activities)
ORDER BY type_code;
