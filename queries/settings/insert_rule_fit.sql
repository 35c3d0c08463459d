-- Save one fit (attribute = value → points) for a rule set; run inside the save's transaction.
INSERT INTO rule_fit VALUES ($name, $attribute, $value, $points)
