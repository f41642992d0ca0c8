"""identification suggestions: the criteria a family's evidence met on a date, and why

Revision ID: 0017_identification_suggestions
Revises: 0016_undecided_families
Create Date: 2026-12-03 17:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_identification_suggestions'
down_revision = '0016_undecided_families'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('identification_suggestions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('family_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['family_id'], ['families.id'], name=op.f('fk_identification_suggestions_family_id_families')),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_identification_suggestions_job_id_jobs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identification_suggestions'))
    )
    with op.batch_alter_table('identification_suggestions', schema=None) as batch_op:
        batch_op.create_index('ix_identification_suggestions_family_code', ['family_id', 'code'], unique=False)
        batch_op.create_index(batch_op.f('ix_identification_suggestions_job_id'), ['job_id'], unique=False)


def downgrade():
    with op.batch_alter_table('identification_suggestions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_identification_suggestions_job_id'))
        batch_op.drop_index('ix_identification_suggestions_family_code')

    op.drop_table('identification_suggestions')
