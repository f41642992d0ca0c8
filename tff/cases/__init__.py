"""Families, members, lead workers and the case work around them."""
