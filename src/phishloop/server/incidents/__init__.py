"""Incidents (one per campaign) and the indicators they carry."""
