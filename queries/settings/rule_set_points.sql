-- One saved rule set's behaviour points per activity type, with the cap on what one type can add (NULL: none).
SELECT activity_type, points, cap
FROM rule_points
WHERE rule_set = $name
