"""Identification from the evidence: which criteria each identified family's evidence meets on
a date (`engine`, pure), worked out for the cohort by a job (`job`) and by `flask identify`."""
