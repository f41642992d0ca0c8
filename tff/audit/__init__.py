"""The audit trail: who did what, when, with the state before and after."""
