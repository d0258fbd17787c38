"""The journal keeps each call's request headers and the answer, for its detail view.

Revision ID: 0004_journal_detail
Revises: 0003_i8_list_indexes
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0004_journal_detail'
down_revision = '0003_i8_list_indexes'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN on every backend: no table rebuild.
    op.add_column('voke_esm_request_journal', sa.Column(
        'request_headers', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'),
        nullable=True))
    op.add_column('voke_esm_request_journal', sa.Column('response_body', sa.Text(),
                                                        nullable=True))


def downgrade():
    op.drop_column('voke_esm_request_journal', 'response_body')
    op.drop_column('voke_esm_request_journal', 'request_headers')
