"""sign offs: a closure or step down proposed by a lead worker or coordinator, waiting for a
manager to approve or return it

Revision ID: 0029_sign_offs
Revises: 0028_break_glass
Create Date: 2026-12-07 22:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0029_sign_offs'
down_revision = '0028_break_glass'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sign_offs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('family_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('closure_reason', sa.String(length=40), nullable=True),
    sa.Column('to_level', sa.String(length=12), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('proposed_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('return_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_sign_offs_decided_by_id_users')),
    sa.ForeignKeyConstraint(['family_id'], ['families.id'], name=op.f('fk_sign_offs_family_id_families')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_sign_offs_proposed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_offs'))
    )
    with op.batch_alter_table('sign_offs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_offs_family_id'), ['family_id'], unique=False)
        batch_op.create_index('ix_sign_offs_state_proposed_at', ['state', 'proposed_at'], unique=False)
        batch_op.create_index('uq_sign_offs_family_id_kind_waiting', ['family_id', 'kind'], unique=True, postgresql_where=sa.text("state = 'proposed'"), sqlite_where=sa.text("state = 'proposed'"))


def downgrade():
    with op.batch_alter_table('sign_offs', schema=None) as batch_op:
        batch_op.drop_index('uq_sign_offs_family_id_kind_waiting', postgresql_where=sa.text("state = 'proposed'"), sqlite_where=sa.text("state = 'proposed'"))
        batch_op.drop_index('ix_sign_offs_state_proposed_at')
        batch_op.drop_index(batch_op.f('ix_sign_offs_family_id'))
    op.drop_table('sign_offs')
