"""Price-drop and back-in-stock watches and their notifications.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('watches',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('shopper_id', sa.String(length=64), nullable=False),
    sa.Column('product_id', sa.String(length=64), nullable=False),
    sa.Column('variant_id', sa.String(length=64), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('threshold', sa.Float(), nullable=True),
    sa.Column('reference_price', sa.Float(), nullable=True),
    sa.Column('armed', sa.Boolean(), nullable=False),
    sa.Column('fired', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('watches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_watches_shopper_id'), ['shopper_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_watches_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_watches_variant_id'), ['variant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_watches_expires_at'), ['expires_at'], unique=False)
    op.create_table('watch_notifications',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('watch_id', sa.String(length=64), nullable=False),
    sa.Column('trigger', sa.Integer(), nullable=False),
    sa.Column('shopper_id', sa.String(length=64), nullable=False),
    sa.Column('product_id', sa.String(length=64), nullable=False),
    sa.Column('variant_id', sa.String(length=64), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('price', sa.Float(), nullable=False),
    sa.Column('reference_price', sa.Float(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claim', sa.String(length=32), nullable=True),
    sa.Column('webhook_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['watch_id'], ['watches.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('watch_id', 'trigger')
    )
    with op.batch_alter_table('watch_notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_watch_notifications_shopper_id'), ['shopper_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_watch_notifications_delivered_at'), ['delivered_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_watch_notifications_claim'), ['claim'], unique=False)
        batch_op.create_index(batch_op.f('ix_watch_notifications_webhook_at'), ['webhook_at'], unique=False)


def downgrade() -> None:
    op.drop_table('watch_notifications')
    op.drop_table('watches')
