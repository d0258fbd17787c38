"""The sandbox clock and token lifetime per client; delayed and failed applies per plant.

Revision ID: 0003_clock_delay
Revises: 0002
Create Date: 2026-11-26 18:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0003_clock_delay'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    # Added columns are plain ALTER TABLE ... ADD COLUMN on SQLite too: the referenced tables
    # are never rebuilt (a rebuild drops the table, which cascades to its plants).
    with op.batch_alter_table('voke_esm_clients', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('clock_offset_seconds', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('token_ttl_seconds', sa.Integer(), nullable=True))

    with op.batch_alter_table('voke_esm_plants', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('apply_delay_seconds', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('apply_outcome', sa.String(length=16), nullable=False,
                                      server_default='applied'))
        batch_op.add_column(sa.Column('pending_due_at', sa.DateTime(timezone=True),
                                      nullable=True))

    with op.batch_alter_table('voke_esm_config_revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=16), nullable=False,
                                      server_default='applied'))
        batch_op.add_column(sa.Column('due_at', sa.DateTime(timezone=True), nullable=True))
        # Pending, failed and superseded revisions have no version. (No table references the
        # revisions, so SQLite may rebuild this one.)
        batch_op.alter_column('version', existing_type=sa.Integer(), nullable=True)


def downgrade():
    op.execute("DELETE FROM voke_esm_config_revisions WHERE version IS NULL")
    with op.batch_alter_table('voke_esm_config_revisions', schema=None) as batch_op:
        batch_op.alter_column('version', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('due_at')
        batch_op.drop_column('status')

    # Plain ALTER TABLE ... DROP COLUMN (SQLite >= 3.35): rebuilding these tables would drop
    # them, and with foreign keys on that deletes every row that references them (CASCADE).
    with op.batch_alter_table('voke_esm_plants', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('pending_due_at')
        batch_op.drop_column('apply_outcome')
        batch_op.drop_column('apply_delay_seconds')

    with op.batch_alter_table('voke_esm_clients', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('token_ttl_seconds')
        batch_op.drop_column('clock_offset_seconds')
