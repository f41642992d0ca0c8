"""payment corrections: a payment's kind, and the entry a reversal reverses

Revision ID: 0022_payment_corrections
Revises: 0021_funding_commitments
Create Date: 2026-12-03 20:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022_payment_corrections'
down_revision = '0021_funding_commitments'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('claim_payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=10), server_default='payment', nullable=False))
        batch_op.add_column(sa.Column('reverses_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_claim_payments_reverses_id'), ['reverses_id'])
        batch_op.create_foreign_key(batch_op.f('fk_claim_payments_reverses_id_claim_payments'), 'claim_payments', ['reverses_id'], ['id'])


def downgrade():
    with op.batch_alter_table('claim_payments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_claim_payments_reverses_id_claim_payments'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_claim_payments_reverses_id'), type_='unique')
        batch_op.drop_column('reverses_id')
        batch_op.drop_column('kind')
