"""Intake: submission contracts, templates, validation, pseudonymisation and atomic import."""
