"""Referrals to commissioned providers, and stepping up to or down from social care."""
