"""PostgreSQL: the revisions' unique (plant_id, version) becomes (version, plant_id), so that the
unique (plant_id, config_update_req_code) is the one index that starts with the plant. Without
statistics (a new database, a server without autovacuum) PostgreSQL looked a request code up
through the narrower (plant_id, version) index, reading every revision of the plant on each dry
run and retry. SQLite chooses the index that matches both columns by itself and keeps its table
as it is.

Revision ID: 0006_revision_version_key
Revises: 0005_prefix_indexes
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = '0006_revision_version_key'
down_revision = '0005_prefix_indexes'
branch_labels = None
depends_on = None

TABLE = 'voke_esm_config_revisions'
PLANT_FIRST = ('voke_esm_config_revisions_plant_id_version_key', ['plant_id', 'version'])
VERSION_FIRST = ('voke_esm_config_revisions_version_plant_id_key', ['version', 'plant_id'])


def upgrade():
    _replace_key(PLANT_FIRST, VERSION_FIRST)


def downgrade():
    _replace_key(VERSION_FIRST, PLANT_FIRST)


def _replace_key(old: tuple[str, list[str]], new: tuple[str, list[str]]) -> None:
    """On PostgreSQL, the unique key `old` (name, columns) becomes `new`: created first, so that
    the table is never without one."""
    if op.get_bind().dialect.name == 'postgresql':
        op.create_unique_constraint(new[0], TABLE, new[1])
        op.drop_constraint(old[0], TABLE, type_='unique')
