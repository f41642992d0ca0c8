"""Spot checks: the national team's check of a sample of a submitted claim's families, each
finding recorded, and a result not upheld clawed back against its window."""
