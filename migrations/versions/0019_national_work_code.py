"""national work code: phase one's third national criterion is called `work`, as the
identification contract names it (it was stored as `worklessness`, the name of a phase two
headline problem)

Revision ID: 0019_national_work_code
Revises: 0018_attachment_override
Create Date: 2026-12-03 17:50:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0019_national_work_code'
down_revision = '0018_attachment_override'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE family_criteria SET code = 'work' WHERE kind = 'national' AND code = 'worklessness'")


def downgrade():
    op.execute("UPDATE family_criteria SET code = 'worklessness' WHERE kind = 'national' AND code = 'work'")
