"""Price-drop and back-in-stock watches and their notifications.

Revision ID: 0007
Revises: 0006
"""

from alembic import op  # noqa: F401

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
