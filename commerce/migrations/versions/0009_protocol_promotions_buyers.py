"""Promotions, known buyers' saved addresses and ACP order webhooks (issue 36): promotions, shopper_addresses,
agents.shopper_id (the shopper an agent's key acts for), agents.webhook_secret (ACP signing), order_events.protocol.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('promotions',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('min_subtotal', sa.Integer(), nullable=True),
    sa.Column('item_ids', sa.JSON(), nullable=False),
    sa.Column('title', sa.String(length=256), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('shopper_addresses',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('shopper_id', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('address', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['shopper_id'], ['shoppers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('shopper_addresses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shopper_addresses_shopper_id'), ['shopper_id'], unique=False)
    with op.batch_alter_table('agents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('webhook_secret', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('shopper_id', sa.String(length=64), nullable=True))
        batch_op.create_foreign_key('fk_agents_shopper_id_shoppers', 'shoppers', ['shopper_id'], ['id'],
                                    ondelete='SET NULL')
    with op.batch_alter_table('order_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('protocol', sa.String(length=8), server_default='ucp', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('order_events', schema=None) as batch_op:
        batch_op.drop_column('protocol')
    with op.batch_alter_table('agents', schema=None) as batch_op:
        batch_op.drop_constraint('fk_agents_shopper_id_shoppers', type_='foreignkey')
        batch_op.drop_column('shopper_id')
        batch_op.drop_column('webhook_secret')
    with op.batch_alter_table('shopper_addresses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shopper_addresses_shopper_id'))
    op.drop_table('shopper_addresses')
    op.drop_table('promotions')
