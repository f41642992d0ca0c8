"""The database's own guard on claims: a submitted claim, its lines and their frozen evidence
never change; a window's ledger of payments, reversals and clawbacks is only ever added to.

Written once here and installed by the migrations (the claims guard by the claims migration, the
ledger's by the payments guard's); the statements differ by dialect (SQLite's triggers abort with
RAISE, PostgreSQL's call a function)."""

LINES_MESSAGE = "the lines of a submitted claim never change"
BATCH_MESSAGE = "a submitted claim never changes"
PAYMENTS_MESSAGE = "a payment entry is never changed or deleted: record a reversing entry instead"
EVIDENCE_MESSAGE = "the evidence of a submitted claim never changes"

POSTGRESQL_CREATE = [
    f"""CREATE FUNCTION claim_lines_frozen() RETURNS trigger AS $$
    BEGIN
      IF (TG_OP <> 'INSERT' AND EXISTS (SELECT 1 FROM claim_batches WHERE id = OLD.batch_id AND state = 'submitted'))
         OR (TG_OP <> 'DELETE' AND EXISTS (SELECT 1 FROM claim_batches WHERE id = NEW.batch_id AND state = 'submitted'))
      THEN RAISE EXCEPTION '{LINES_MESSAGE}';
      END IF;
      IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql""",  # noqa: S608 - constants only  # nosec B608
    "CREATE TRIGGER claim_lines_frozen BEFORE INSERT OR UPDATE OR DELETE ON claim_lines "
    "FOR EACH ROW EXECUTE FUNCTION claim_lines_frozen()",
    f"""CREATE FUNCTION claim_batches_frozen() RETURNS trigger AS $$
    BEGIN
      IF OLD.state = 'submitted' THEN RAISE EXCEPTION '{BATCH_MESSAGE}'; END IF;
      IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER claim_batches_frozen BEFORE UPDATE OR DELETE ON claim_batches "
    "FOR EACH ROW EXECUTE FUNCTION claim_batches_frozen()",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS claim_lines_frozen ON claim_lines",
    "DROP FUNCTION IF EXISTS claim_lines_frozen()",
    "DROP TRIGGER IF EXISTS claim_batches_frozen ON claim_batches",
    "DROP FUNCTION IF EXISTS claim_batches_frozen()",
]

_SUBMITTED = "(SELECT state FROM claim_batches WHERE id = {row}.batch_id) = 'submitted'"
SQLITE_CREATE = [
    f"CREATE TRIGGER claim_lines_frozen_{event.lower()} BEFORE {event} ON claim_lines "
    f"WHEN {_SUBMITTED.format(row=row)} BEGIN SELECT RAISE(ABORT, '{LINES_MESSAGE}'); END"
    for event, row in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD"))
] + [
    f"CREATE TRIGGER claim_batches_frozen_{event.lower()} BEFORE {event} ON claim_batches "
    f"WHEN OLD.state = 'submitted' BEGIN SELECT RAISE(ABORT, '{BATCH_MESSAGE}'); END"
    for event in ("UPDATE", "DELETE")
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "claim_lines_frozen_insert",
        "claim_lines_frozen_update",
        "claim_lines_frozen_delete",
        "claim_batches_frozen_update",
        "claim_batches_frozen_delete",
    )
]


PAYMENTS_POSTGRESQL_CREATE = [
    f"""CREATE FUNCTION claim_payments_kept() RETURNS trigger AS $$
    BEGIN
      RAISE EXCEPTION '{PAYMENTS_MESSAGE}';
    END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER claim_payments_kept BEFORE UPDATE OR DELETE ON claim_payments "
    "FOR EACH ROW EXECUTE FUNCTION claim_payments_kept()",
]
PAYMENTS_POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS claim_payments_kept ON claim_payments",
    "DROP FUNCTION IF EXISTS claim_payments_kept()",
]
PAYMENTS_SQLITE_CREATE = [
    f"CREATE TRIGGER claim_payments_kept_{event.lower()} BEFORE {event} ON claim_payments "
    f"BEGIN SELECT RAISE(ABORT, '{PAYMENTS_MESSAGE}'); END"
    for event in ("UPDATE", "DELETE")
]
PAYMENTS_SQLITE_DROP = [f"DROP TRIGGER IF EXISTS claim_payments_kept_{event}" for event in ("update", "delete")]


_EVIDENCE_SUBMITTED = (
    "EXISTS (SELECT 1 FROM claim_batches WHERE evaluation_id = {row}.evaluation_id AND state = 'submitted')"
)
EVIDENCE_POSTGRESQL_CREATE = [
    f"""CREATE FUNCTION claim_evidence_frozen() RETURNS trigger AS $$
    BEGIN
      IF (TG_OP <> 'INSERT' AND {_EVIDENCE_SUBMITTED.format(row="OLD")})
         OR (TG_OP <> 'DELETE' AND {_EVIDENCE_SUBMITTED.format(row="NEW")})
      THEN RAISE EXCEPTION '{EVIDENCE_MESSAGE}';
      END IF;
      IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql""",  # noqa: S608 - constants only  # nosec B608
    "CREATE TRIGGER claim_evidence_frozen BEFORE INSERT OR UPDATE OR DELETE ON claim_evidence "
    "FOR EACH ROW EXECUTE FUNCTION claim_evidence_frozen()",
]
EVIDENCE_POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS claim_evidence_frozen ON claim_evidence",
    "DROP FUNCTION IF EXISTS claim_evidence_frozen()",
]
EVIDENCE_SQLITE_CREATE = [
    f"CREATE TRIGGER claim_evidence_frozen_{event.lower()} BEFORE {event} ON claim_evidence "
    f"WHEN {_EVIDENCE_SUBMITTED.format(row=row)} BEGIN SELECT RAISE(ABORT, '{EVIDENCE_MESSAGE}'); END"
    for event, row in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD"))
]
EVIDENCE_SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS claim_evidence_frozen_{event}" for event in ("insert", "update", "delete")
]


def statements(dialect: str, create: bool = True) -> list[str]:
    """The guard of a submitted claim and its lines."""
    if dialect == "postgresql":
        return POSTGRESQL_CREATE if create else POSTGRESQL_DROP
    return SQLITE_CREATE if create else SQLITE_DROP


def payment_statements(dialect: str, create: bool = True) -> list[str]:
    """The guard of the payments ledger."""
    if dialect == "postgresql":
        return PAYMENTS_POSTGRESQL_CREATE if create else PAYMENTS_POSTGRESQL_DROP
    return PAYMENTS_SQLITE_CREATE if create else PAYMENTS_SQLITE_DROP


def evidence_statements(dialect: str, create: bool = True) -> list[str]:
    """The guard of a submitted claim's frozen evidence."""
    if dialect == "postgresql":
        return EVIDENCE_POSTGRESQL_CREATE if create else EVIDENCE_POSTGRESQL_DROP
    return EVIDENCE_SQLITE_CREATE if create else EVIDENCE_SQLITE_DROP


def every_statement(dialect: str, create: bool = True) -> list[str]:
    """Every guard: what is lifted, and put back, to empty the tables (tests only do this)."""
    return statements(dialect, create) + payment_statements(dialect, create) + evidence_statements(dialect, create)
