"""Turn leases: which replica runs a shopper message's turn, until when (replica failover).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('turn_leases',
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.String(length=64), nullable=False),
    sa.Column('owner', sa.String(length=32), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('message_id')
    )
    with op.batch_alter_table('turn_leases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_turn_leases_conversation_id'), ['conversation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_turn_leases_owner'), ['owner'], unique=False)


def downgrade() -> None:
    op.drop_table('turn_leases')
