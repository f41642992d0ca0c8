"""Funding drawn down: attachment fees and results claimed against what is available, for managers."""
