"""Fault rules per client, and the fired rules on each journal entry (CONTRACT.md §6.1).

Revision ID: 0003_fault_rules
Revises: 0003_clock_delay
Create Date: 2026-11-26 18:10:00

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0003_fault_rules'
down_revision = '0003_clock_delay'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    op.create_table(
        'voke_esm_fault_rules',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('client_id', sa.String(length=120), nullable=False),
        sa.Column('plant_id', sa.String(length=64), nullable=True),
        sa.Column('endpoint', sa.String(length=32), nullable=False),
        sa.Column('effect', JSON, nullable=False),
        sa.Column('trigger', JSON, nullable=False),
        sa.Column('remaining', sa.Integer(), nullable=True),
        sa.Column('calls', sa.Integer(), nullable=False),
        sa.Column('hits', sa.Integer(), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('label', sa.String(length=100), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['voke_esm_clients.client_id'],
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('voke_esm_fault_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voke_esm_fault_rules_client_id'), ['client_id'],
                              unique=False)
    # Plain ALTER TABLE on SQLite too: rebuilding the clients table would drop it, and with
    # foreign keys on that deletes every plant (CASCADE).
    with op.batch_alter_table('voke_esm_clients', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('fault_rules_version', sa.Integer(), nullable=False,
                                      server_default='0'))
    with op.batch_alter_table('voke_esm_request_journal', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('faults', JSON, nullable=True))


def downgrade():
    with op.batch_alter_table('voke_esm_request_journal', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('faults')
    with op.batch_alter_table('voke_esm_clients', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('fault_rules_version')
    with op.batch_alter_table('voke_esm_fault_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voke_esm_fault_rules_client_id'))
    op.drop_table('voke_esm_fault_rules')
