"""spot checks: the families the national team selected from a submitted claim, each finding,
and the clawback of a result not upheld

Revision ID: 0027_spot_checks
Revises: 0026_claim_evidence
Create Date: 2026-12-07 22:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0027_spot_checks'
down_revision = '0026_claim_evidence'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('spot_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('window_id', sa.Integer(), nullable=False),
    sa.Column('selected_on', sa.Date(), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_spot_checks_created_by_id_users')),
    sa.ForeignKeyConstraint(['window_id'], ['claim_windows.id'], name=op.f('fk_spot_checks_window_id_claim_windows')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spot_checks'))
    )
    with op.batch_alter_table('spot_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_spot_checks_window_id'), ['window_id'], unique=False)

    op.create_table('spot_check_families',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('spot_check_id', sa.Integer(), nullable=False),
    sa.Column('family_id', sa.Integer(), nullable=False),
    sa.Column('family_ref', sa.String(length=40), nullable=False),
    sa.Column('finding', sa.String(length=12), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('clawback_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['clawback_id'], ['claim_payments.id'], name=op.f('fk_spot_check_families_clawback_id_claim_payments')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_spot_check_families_decided_by_id_users')),
    sa.ForeignKeyConstraint(['family_id'], ['families.id'], name=op.f('fk_spot_check_families_family_id_families')),
    sa.ForeignKeyConstraint(['spot_check_id'], ['spot_checks.id'], name=op.f('fk_spot_check_families_spot_check_id_spot_checks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spot_check_families')),
    sa.UniqueConstraint('spot_check_id', 'family_id', name=op.f('uq_spot_check_families_spot_check_id'))
    )


def downgrade():
    op.drop_table('spot_check_families')
    with op.batch_alter_table('spot_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_spot_checks_window_id'))
    op.drop_table('spot_checks')
