-- Save one activity type's points and cap for a rule set; run inside the save's transaction.
INSERT INTO rule_points VALUES ($name, $type, $points, $cap)
