"""payments kept: the database refuses to change or delete an entry of a window's payments
ledger (a mistake is corrected by a reversing entry)

Revision ID: 0025_payments_kept
Revises: 0024_funding_indexes
Create Date: 2026-12-07 22:00:00.000000

"""
from alembic import op

from tff.claims import guards


# revision identifiers, used by Alembic.
revision = '0025_payments_kept'
down_revision = '0024_funding_indexes'
branch_labels = None
depends_on = None


def upgrade():
    for statement in guards.payment_statements(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade():
    for statement in guards.payment_statements(op.get_bind().dialect.name, create=False):
        op.execute(statement)
