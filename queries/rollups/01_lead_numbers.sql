-- Every lead's number: its place among the leads ordered by lead_id (0, 1, …). The per-lead passes over
-- millions of activities (lead_events, the rollup, the backtest's replay) key by this integer instead of the
-- lead id string, and the backtest's leads (queries/scoring/backtest_leads.sql) come in the same order.
-- Rebuilt by every write (database.refresh_rollups), like every file here: a new lead renumbers those after it.
CREATE OR REPLACE TABLE lead_numbers AS
SELECT (row_number() OVER (ORDER BY lead_id) - 1)::INTEGER AS lead_number, lead_id
FROM leads
ORDER BY lead_number;
