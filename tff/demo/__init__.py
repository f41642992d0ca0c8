"""The demo cohort: synthetic families in the import formats, and one account per role."""
