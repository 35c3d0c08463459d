"""leadfunnel: where the B2B lead pipeline leaks, from CRM and marketing-automation exports."""

__version__ = "0.1.0"
