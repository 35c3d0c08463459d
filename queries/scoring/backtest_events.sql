-- Activities before the as-of instant, as integers only so that 20M events load in seconds: `lead_number` is the
-- lead's number (queries/rollups/01_lead_numbers.sql), `at_us` the time in µs since the epoch and `type_code` the
-- type's position in scoring/activity_types (0-based). Read from lead_events, stored at import in (lead_number,
-- time) order: no join to the leads and no sort per view. All leads' events come back: the replay keeps those of
-- the view's leads (backtest_leads, which carries their numbers), and checks the order (EventArrays.build).
-- All types are loaded, so moving a weight needs no query.
--   $as_of : TIMESTAMP, exclusive
SELECT lead_number, at_us, type_code
FROM lead_events
WHERE at_us < epoch_us(CAST($as_of AS TIMESTAMP))
