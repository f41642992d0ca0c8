"""funding indexes: the families attached and the referrals taken, counted from indexes alone

Revision ID: 0024_funding_indexes
Revises: 0023_spending_lines
Create Date: 2026-12-07 21:20:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0024_funding_indexes'
down_revision = '0023_spending_lines'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('families', schema=None) as batch_op:
        batch_op.create_index(
            'ix_families_money', ['programme', 'attached_on', 'outcome_plan', 'attach_override_reason'], unique=False
        )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index('ix_referrals_family_id')
        batch_op.drop_index('ix_referrals_provider_id_state')
        batch_op.create_index('ix_referrals_family_id_state', ['family_id', 'state'], unique=False)
        batch_op.create_index(
            'ix_referrals_provider_id_state_family_id', ['provider_id', 'state', 'family_id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index('ix_referrals_provider_id_state_family_id')
        batch_op.drop_index('ix_referrals_family_id_state')
        batch_op.create_index('ix_referrals_provider_id_state', ['provider_id', 'state'], unique=False)
        batch_op.create_index('ix_referrals_family_id', ['family_id'], unique=False)
    with op.batch_alter_table('families', schema=None) as batch_op:
        batch_op.drop_index('ix_families_money')
