-- How the leads merge into accounts (the account key of leadfunnel.accounts: the account id, else the company name
-- normalised, else the lead on its own), for the Data page: every lead in the database, no filters.
--   leads            : leads in the database
--   accounts         : distinct account keys (a lead without account id and company is an account of its own)
--   merged_accounts  : accounts holding more than one lead
--   merged_leads     : the leads in those accounts
WITH sizes AS (
    SELECT account_key, count(*) AS leads
    FROM lead_stage_entries
    WHERE stage = 'lead'
    GROUP BY account_key
)

SELECT
    coalesce(sum(leads), 0)::BIGINT                                AS leads,
    count(*)                                                       AS accounts,
    count(*) FILTER (WHERE leads > 1)                              AS merged_accounts,
    coalesce(sum(leads) FILTER (WHERE leads > 1), 0)::BIGINT       AS merged_leads
FROM sizes
