-- The largest accounts (most leads first), so the Data page can show which leads were counted as one company.
--   $limit : how many accounts
-- Columns: account_id (the CRM's id when the key is an id, else NULL), company (its most frequent spelling),
-- spellings (how many different spellings of the company name met in it), examples (up to three of them,
-- separated by " / "), leads, won (its leads that are won).
WITH members AS (
    SELECT e.account_key, l.account_id, l.company, l.won_at
    FROM lead_stage_entries AS e
    INNER JOIN leads AS l USING (lead_id)
    WHERE e.stage = 'lead'
),

spellings AS (
    SELECT account_key, company, count(*) AS uses
    FROM members
    WHERE company IS NOT NULL
    GROUP BY account_key, company
),

names AS (
    SELECT
        account_key,
        arg_min(company, (-uses, company)) AS company,  -- the most used spelling, the first of the examples
        count(*) AS spellings,
        string_agg(company, ' / ' ORDER BY uses DESC, company) FILTER (WHERE rank <= 3) AS examples
    FROM (SELECT *, row_number() OVER (PARTITION BY account_key ORDER BY uses DESC, company) AS rank FROM spellings)
    GROUP BY account_key
)

SELECT
    CASE WHEN m.account_key LIKE 'id:%' THEN substr(m.account_key, 4) END AS account_id,
    n.company,
    coalesce(n.spellings, 0) AS spellings,
    n.examples,
    count(*) AS leads,
    count(m.won_at) AS won
FROM members AS m
LEFT JOIN names AS n USING (account_key)
GROUP BY m.account_key, n.company, n.spellings, n.examples
HAVING count(*) > 1
ORDER BY leads DESC, n.company NULLS LAST, account_id
LIMIT $limit
