"""Drop two indexes that only repeat the start of a unique one: each cost every write, and
PostgreSQL, without statistics on a table (a new database, a server without autovacuum),
chose the narrower index for a lookup by both columns and read every row of the plant or
the client to find one.

Revision ID: 0005_prefix_indexes
Revises: 0004_journal_detail
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = '0005_prefix_indexes'
down_revision = '0004_journal_detail'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_voke_esm_plants_client_id', table_name='voke_esm_plants')
    op.drop_index('ix_voke_esm_config_revisions_plant_id',
                  table_name='voke_esm_config_revisions')


def downgrade():
    op.create_index('ix_voke_esm_config_revisions_plant_id', 'voke_esm_config_revisions',
                    ['plant_id'], unique=False)
    op.create_index('ix_voke_esm_plants_client_id', 'voke_esm_plants', ['client_id'],
                    unique=False)
