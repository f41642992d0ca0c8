"""claim evidence: what a claim window's decision of each family read, frozen as it was; the
database refuses any change to a submitted claim's

Revision ID: 0026_claim_evidence
Revises: 0025_payments_kept
Create Date: 2026-12-07 21:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

from tff.claims import guards


# revision identifiers, used by Alembic.
revision = '0026_claim_evidence'
down_revision = '0025_payments_kept'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('claim_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('family_id', sa.Integer(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_claim_evidence_evaluation_id_evaluations')),
    sa.ForeignKeyConstraint(['family_id'], ['families.id'], name=op.f('fk_claim_evidence_family_id_families')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_evidence'))
    )
    with op.batch_alter_table('claim_evidence', schema=None) as batch_op:
        batch_op.create_index('ix_claim_evidence_evaluation_family', ['evaluation_id', 'family_id'], unique=False)
    for statement in guards.evidence_statements(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade():
    for statement in guards.evidence_statements(op.get_bind().dialect.name, create=False):
        op.execute(statement)
    with op.batch_alter_table('claim_evidence', schema=None) as batch_op:
        batch_op.drop_index('ix_claim_evidence_evaluation_family')
    op.drop_table('claim_evidence')
