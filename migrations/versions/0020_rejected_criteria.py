"""rejected criteria: the suggestions a person rejected, why, and the evidence they answered

Revision ID: 0020_rejected_criteria
Revises: 0019_national_work_code
Create Date: 2026-12-03 19:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020_rejected_criteria'
down_revision = '0019_national_work_code'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rejected_criteria',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('family_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('rejected_by_id', sa.Integer(), nullable=False),
    sa.Column('rejected_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['family_id'], ['families.id'], name=op.f('fk_rejected_criteria_family_id_families')),
    sa.ForeignKeyConstraint(['rejected_by_id'], ['users.id'], name=op.f('fk_rejected_criteria_rejected_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rejected_criteria')),
    sa.UniqueConstraint('family_id', 'kind', 'code', name=op.f('uq_rejected_criteria_family_id'))
    )
    with op.batch_alter_table('rejected_criteria', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rejected_criteria_family_id'), ['family_id'], unique=False)


def downgrade():
    with op.batch_alter_table('rejected_criteria', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rejected_criteria_family_id'))

    op.drop_table('rejected_criteria')
