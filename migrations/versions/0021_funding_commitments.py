"""funding commitments: the families committed and funded per programme and financial year,
and each programme's attachment fee basis

Revision ID: 0021_funding_commitments
Revises: 0020_rejected_criteria
Create Date: 2026-12-03 20:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_funding_commitments'
down_revision = '0020_rejected_criteria'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('funding_commitments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme', sa.String(length=24), nullable=False),
    sa.Column('financial_year', sa.String(length=7), nullable=False),
    sa.Column('families_committed', sa.Integer(), nullable=False),
    sa.Column('families_funded', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_funding_commitments_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funding_commitments')),
    sa.UniqueConstraint('programme', 'financial_year', name=op.f('uq_funding_commitments_programme'))
    )
    op.create_table('fee_bases',
    sa.Column('programme', sa.String(length=24), nullable=False),
    sa.Column('basis', sa.String(length=12), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_fee_bases_updated_by_id_users')),
    sa.PrimaryKeyConstraint('programme', name=op.f('pk_fee_bases'))
    )


def downgrade():
    op.drop_table('fee_bases')
    op.drop_table('funding_commitments')
