"""Data protection: the log of who viewed which family, and the retention of closed families' data."""
