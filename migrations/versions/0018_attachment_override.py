"""attachment override: why a family not eligible on its confirmed criteria was attached

Revision ID: 0018_attachment_override
Revises: 0017_identification_suggestions
Create Date: 2026-12-03 17:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_attachment_override'
down_revision = '0017_identification_suggestions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('families', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attach_override_reason', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('attach_override_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('attach_override_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_families_attach_override_by_id_users'), 'users', ['attach_override_by_id'], ['id']
        )


def downgrade():
    with op.batch_alter_table('families', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_families_attach_override_by_id_users'), type_='foreignkey')
        batch_op.drop_column('attach_override_at')
        batch_op.drop_column('attach_override_by_id')
        batch_op.drop_column('attach_override_reason')
