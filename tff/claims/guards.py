"""The database's own guard on claims: a submitted claim, and its lines, never change.

Written once here and installed by the claims migration; the statements differ by dialect
(SQLite's triggers abort with RAISE, PostgreSQL's call a function)."""

LINES_MESSAGE = "the lines of a submitted claim never change"
BATCH_MESSAGE = "a submitted claim never changes"

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


def statements(dialect: str, create: bool = True) -> list[str]:
    if dialect == "postgresql":
        return POSTGRESQL_CREATE if create else POSTGRESQL_DROP
    return SQLITE_CREATE if create else SQLITE_DROP
