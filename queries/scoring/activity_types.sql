-- Every activity type in the data, in order: position i is the type code i used by backtest_events.
SELECT DISTINCT activity_type
FROM activities
ORDER BY activity_type
