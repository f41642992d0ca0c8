"""evidence writes: on PostgreSQL, an evidence row's member and import run checked once per statement; an index no query reads dropped

Revision ID: 0013_evidence_writes
Revises: 0012_funding
Create Date: 2026-11-23 09:10:00.000000

"""
from alembic import op

from tff.evidence import integrity

# revision identifiers, used by Alembic.
revision = '0013_evidence_writes'
down_revision = '0012_funding'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        for statement in integrity.create():
            op.execute(statement)
    # Results read a member's attendance by member; nothing reads it by term across members.
    with op.batch_alter_table('attendance_records', schema=None) as batch_op:
        batch_op.drop_index('ix_attendance_records_year_term')


def downgrade():
    with op.batch_alter_table('attendance_records', schema=None) as batch_op:
        batch_op.create_index('ix_attendance_records_year_term', ['academic_year', 'term'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        for statement in integrity.drop():
            op.execute(statement)
