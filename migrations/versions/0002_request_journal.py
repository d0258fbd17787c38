"""Request journal: what Voke sent to the trading API, for QA.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 07:22:38.709502

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('voke_esm_request_journal',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('client_id', sa.String(length=120), nullable=True),
    sa.Column('remote_addr', sa.String(length=64), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('path', sa.String(length=200), nullable=False),
    sa.Column('query', sa.String(length=500), nullable=True),
    sa.Column('plant_id', sa.String(length=64), nullable=True),
    sa.Column('config_update_req_code', sa.String(length=128), nullable=True),
    sa.Column('request_body', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=40), nullable=True),
    sa.Column('duration_ms', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('voke_esm_request_journal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voke_esm_request_journal_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_voke_esm_request_journal_created_at'), ['created_at'], unique=False)




def downgrade():

    with op.batch_alter_table('voke_esm_request_journal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voke_esm_request_journal_created_at'))
        batch_op.drop_index(batch_op.f('ix_voke_esm_request_journal_client_id'))

    op.drop_table('voke_esm_request_journal')

