-- Every activity type in the data, in order: position i is the type code i of lead_events (backtest_events).
SELECT activity_type
FROM event_types
ORDER BY type_code
