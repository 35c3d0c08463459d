-- One saved rule set's fit points: a lead whose attribute equals the value gets the points once.
SELECT attribute, value, points
FROM rule_fit
WHERE rule_set = $name
