"""The marketing↔sales SLA: hand-over follow-up compliance, overdue leads and sales feedback."""
