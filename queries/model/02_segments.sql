-- in_segments: does a lead pass the view's segment filters (the sidebar's channel, industry, size and owner)?
-- An empty list means "all". The one definition every query that filters leads by segment uses.
CREATE OR REPLACE MACRO in_segments(channel, industry, company_size, owner,
                                    channels, industries, company_sizes, owners) AS
    (len(channels) = 0 OR list_contains(channels, channel))
    AND (len(industries) = 0 OR list_contains(industries, industry))
    AND (len(company_sizes) = 0 OR list_contains(company_sizes, company_size))
    AND (len(owners) = 0 OR list_contains(owners, owner));
