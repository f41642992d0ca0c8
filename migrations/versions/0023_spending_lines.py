"""spending lines: the spending plan, profiled against the money received

Revision ID: 0023_spending_lines
Revises: 0022_payment_corrections
Create Date: 2026-12-03 20:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023_spending_lines'
down_revision = '0022_payment_corrections'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('spending_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('financial_year', sa.String(length=7), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('pays_for', sa.String(length=10), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('provider_id', sa.Integer(), nullable=True),
    sa.Column('description', sa.String(length=500), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_spending_lines_created_by_id_users')),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_spending_lines_provider_id_providers')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_spending_lines_team_id_teams')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_spending_lines_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spending_lines'))
    )
    with op.batch_alter_table('spending_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_spending_lines_financial_year'), ['financial_year'], unique=False)
        batch_op.create_index(batch_op.f('ix_spending_lines_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_spending_lines_team_id'), ['team_id'], unique=False)


def downgrade():
    with op.batch_alter_table('spending_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_spending_lines_team_id'))
        batch_op.drop_index(batch_op.f('ix_spending_lines_provider_id'))
        batch_op.drop_index(batch_op.f('ix_spending_lines_financial_year'))

    op.drop_table('spending_lines')
