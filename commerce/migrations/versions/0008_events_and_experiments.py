"""Attribution events, insights aggregates and A/B experiments (issue 35).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('attribution_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('conversation_id', sa.String(length=64), nullable=True),
    sa.Column('shopper_id', sa.String(length=64), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('act', sa.String(length=32), nullable=False),
    sa.Column('variant', sa.String(length=160), nullable=False),
    sa.Column('product_id', sa.String(length=64), nullable=True),
    sa.Column('position', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('order_id', sa.String(length=64), nullable=True),
    sa.Column('term', sa.String(length=200), nullable=False),
    sa.Column('detail', sa.String(length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('attribution_events', schema=None) as batch_op:
        batch_op.create_index('ix_attribution_events_day_kind', ['day', 'kind'], unique=False)
        batch_op.create_index('ix_attribution_events_kind_term', ['kind', 'term'], unique=False)
        batch_op.create_index(batch_op.f('ix_attribution_events_conversation_id'), ['conversation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attribution_events_shopper_id'), ['shopper_id'], unique=False)
    op.create_table('insight_rollup',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.Column('dimension', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=160), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('events', sa.Integer(), nullable=False),
    sa.Column('conversations', sa.Integer(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('through_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('day', 'dimension', 'key', 'kind')
    )
    with op.batch_alter_table('insight_rollup', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_insight_rollup_day'), ['day'], unique=False)
    op.create_table('experiments',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('holdout', sa.Float(), nullable=False),
    sa.Column('variants', sa.JSON(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('stopped_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('name')
    )


def downgrade() -> None:
    op.drop_table('experiments')
    with op.batch_alter_table('insight_rollup', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_insight_rollup_day'))
    op.drop_table('insight_rollup')
    with op.batch_alter_table('attribution_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attribution_events_shopper_id'))
        batch_op.drop_index(batch_op.f('ix_attribution_events_conversation_id'))
        batch_op.drop_index('ix_attribution_events_kind_term')
        batch_op.drop_index('ix_attribution_events_day_kind')
    op.drop_table('attribution_events')
