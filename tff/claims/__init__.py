"""Claim windows, payment-by-results claim batches and their lines, audit sample, submission,
export and payments."""
