"""undecided families: the families a cohort job could not decide, and why

Revision ID: 0016_undecided_families
Revises: 0015_data_protection
Create Date: 2026-12-03 16:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_undecided_families'
down_revision = '0015_data_protection'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('undecided_families',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=True),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('family_id', sa.Integer(), nullable=False),
    sa.Column('family_ref', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_undecided_families_evaluation_id_evaluations')),
    sa.ForeignKeyConstraint(['family_id'], ['families.id'], name=op.f('fk_undecided_families_family_id_families')),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_undecided_families_job_id_jobs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_undecided_families'))
    )
    with op.batch_alter_table('undecided_families', schema=None) as batch_op:
        batch_op.create_index('ix_undecided_families_evaluation_ref', ['evaluation_id', 'family_ref'], unique=False)
        batch_op.create_index(batch_op.f('ix_undecided_families_family_id'), ['family_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_undecided_families_job_id'), ['job_id'], unique=False)


def downgrade():
    with op.batch_alter_table('undecided_families', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_undecided_families_job_id'))
        batch_op.drop_index(batch_op.f('ix_undecided_families_family_id'))
        batch_op.drop_index('ix_undecided_families_evaluation_ref')

    op.drop_table('undecided_families')
