"""Price history, standing orders and recurring orders (issue 37).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('price_points',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('product_id', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('price', sa.Float(), nullable=False),
    sa.Column('low', sa.Float(), nullable=False),
    sa.Column('high', sa.Float(), nullable=False),
    sa.Column('in_stock', sa.Boolean(), nullable=False),
    sa.Column('span_days', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('price_points', schema=None) as batch_op:
        batch_op.create_index('ix_price_points_product_at', ['product_id', 'at'], unique=False)
    op.create_table('standing_orders',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('shopper_id', sa.String(length=64), nullable=False),
    sa.Column('product_id', sa.String(length=64), nullable=False),
    sa.Column('variant_id', sa.String(length=64), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('target', sa.Float(), nullable=False),
    sa.Column('ceiling', sa.Float(), nullable=False),
    sa.Column('spend_cap', sa.Float(), nullable=False),
    sa.Column('spent', sa.Float(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('address', sa.JSON(), nullable=False),
    sa.Column('payment_handler', sa.String(length=64), nullable=False),
    sa.Column('payment_token', sa.String(length=255), nullable=False),
    sa.Column('armed', sa.Boolean(), nullable=False),
    sa.Column('fired', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('standing_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_standing_orders_shopper_id'), ['shopper_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_standing_orders_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_standing_orders_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_standing_orders_expires_at'), ['expires_at'], unique=False)
    op.create_table('standing_order_runs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('standing_order_id', sa.String(length=64), nullable=False),
    sa.Column('trigger', sa.Integer(), nullable=False),
    sa.Column('shopper_id', sa.String(length=64), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('price', sa.Float(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('order_id', sa.String(length=64), nullable=True),
    sa.Column('total', sa.Float(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ran_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claim', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['standing_order_id'], ['standing_orders.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('standing_order_id', 'trigger')
    )
    with op.batch_alter_table('standing_order_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_standing_order_runs_shopper_id'), ['shopper_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_standing_order_runs_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_standing_order_runs_delivered_at'), ['delivered_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_standing_order_runs_claim'), ['claim'], unique=False)
    op.create_table('recurring_orders',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('shopper_id', sa.String(length=64), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('every_days', sa.Integer(), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('next_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('address', sa.JSON(), nullable=False),
    sa.Column('payment_handler', sa.String(length=64), nullable=False),
    sa.Column('payment_token', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('last_order_id', sa.String(length=64), nullable=True),
    sa.Column('last_reason', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('recurring_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recurring_orders_shopper_id'), ['shopper_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recurring_orders_next_at'), ['next_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_recurring_orders_status'), ['status'], unique=False)


def downgrade() -> None:
    op.drop_table('recurring_orders')
    op.drop_table('standing_order_runs')
    op.drop_table('standing_orders')
    op.drop_table('price_points')
