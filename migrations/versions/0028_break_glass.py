"""break glass: a view of a section the user's role does not read, and why the glass was broken

Revision ID: 0028_break_glass
Revises: 0027_spot_checks
Create Date: 2026-12-07 22:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0028_break_glass'
down_revision = '0027_spot_checks'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('family_views', schema=None) as batch_op:
        batch_op.add_column(sa.Column('section', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('reason', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('family_views', schema=None) as batch_op:
        batch_op.drop_column('reason')
        batch_op.drop_column('section')
