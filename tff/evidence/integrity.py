"""On PostgreSQL, an evidence row's member and import run are checked once per statement.

A foreign key checks (and locks) the row it names once for each row written: for an import's
hundreds of thousands of rows that is most of the cost of the insert. Here the same rule is
kept by statement-level triggers instead, which read the statement's new rows as one table
and look for any that name nothing (each member or run looked up once). The other side of the
rule, that a member or an import run with evidence is never deleted, is a
trigger on those tables. (Neither is ever deleted by the product; the rule is the database's
own, for whatever else writes to it.) On SQLite, the embedded default, the foreign keys stay
as they are declared.

The models still declare the foreign keys, for the ORM's joins; the migration environment
leaves these out of its comparison on PostgreSQL (`compared`).
"""

TABLES = ("events", "spells", "attendance_records")
#: column -> the table it names
REFERENCES = {"member_id": "members", "run_id": "import_runs"}
#: the foreign keys the triggers replace, by the naming convention's names
CONSTRAINTS = {
    f"fk_{table}_{column}_{referred}": (table, column, referred)
    for table in TABLES
    for column, referred in REFERENCES.items()
}

MISSING = "%s.%s %s names no row of %s"
IN_USE = "%s %s has evidence in %s: it cannot be deleted"


def _exists_function() -> str:
    checks = "\n".join(  # constants only
        f"""  SELECT n.id INTO missing FROM (SELECT DISTINCT {column} AS id FROM new_rows) n
    WHERE n.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {referred} r WHERE r.id = n.id) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
      MESSAGE = format('{MISSING}', TG_TABLE_NAME, '{column}', missing, '{referred}');
  END IF;"""  # noqa: S608 - table and column names are constants  # nosec B608
        for column, referred in REFERENCES.items()
    )
    return f"""CREATE FUNCTION evidence_references_exist() RETURNS trigger AS $$
DECLARE missing integer;
BEGIN
{checks}
  RETURN NULL;
END $$ LANGUAGE plpgsql"""


def _unused_function(referred: str, column: str) -> str:
    checks = "\n".join(
        f"""  SELECT o.id INTO used FROM old_rows o
    WHERE EXISTS (SELECT 1 FROM {table} e WHERE e.{column} = o.id) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
      MESSAGE = format('{IN_USE}', '{referred}', used, '{table}');
  END IF;"""  # noqa: S608 - table and column names are constants  # nosec B608
        for table in TABLES
    )
    return f"""CREATE FUNCTION {referred}_without_evidence() RETURNS trigger AS $$
DECLARE used integer;
BEGIN
{checks}
  RETURN NULL;
END $$ LANGUAGE plpgsql"""


def create() -> list[str]:
    """PostgreSQL statements that swap the foreign keys for the statement-level checks."""
    statements = [f"ALTER TABLE {table} DROP CONSTRAINT {name}" for name, (table, _, _) in CONSTRAINTS.items()]
    statements.append(_exists_function())
    for table in TABLES:
        for event in ("INSERT", "UPDATE"):
            statements.append(
                f"CREATE TRIGGER {table}_references_{event.lower()} AFTER {event} ON {table} "
                "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION evidence_references_exist()"
            )
    for column, referred in REFERENCES.items():
        statements.append(_unused_function(referred, column))
        statements.append(
            f"CREATE TRIGGER {referred}_without_evidence AFTER DELETE ON {referred} "
            f"REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {referred}_without_evidence()"
        )
    return statements


def drop() -> list[str]:
    """PostgreSQL statements that put the foreign keys back."""
    statements = []
    for referred in REFERENCES.values():
        statements.append(f"DROP TRIGGER IF EXISTS {referred}_without_evidence ON {referred}")
        statements.append(f"DROP FUNCTION IF EXISTS {referred}_without_evidence()")
    for table in TABLES:
        for event in ("insert", "update"):
            statements.append(f"DROP TRIGGER IF EXISTS {table}_references_{event} ON {table}")
    statements.append("DROP FUNCTION IF EXISTS evidence_references_exist()")
    statements += [
        f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY ({column}) REFERENCES {referred} (id)"
        for name, (table, column, referred) in CONSTRAINTS.items()
    ]
    return statements


def compared(name: str | None, dialect: str) -> bool:
    """Whether the migration environment compares this foreign key with the models."""
    return not (dialect == "postgresql" and name in CONSTRAINTS)
