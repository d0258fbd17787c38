"""PostgreSQL: the documents only ever stored and answered whole (a plant's and a revision's time
configs, a journal entry's request body) become `json`, their text as written and checked,
instead of JSONB, which parsed each one into its binary form; and these and the journal's
answers are compressed with LZ4 where the server has it (PostgreSQL 14 and later, built with
it) instead of pglz. A trading update stores the blocks once and the body once: each JSONB
parse of a day of blocks cost the server about five times the check, and pglz four times LZ4.
SQLite stores JSON as text already and keeps its tables as they are.

Revision ID: 0007_whole_json_documents
Revises: 0006_revision_version_key
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0007_whole_json_documents'
down_revision = '0006_revision_version_key'
branch_labels = None
depends_on = None

WHOLE = (('voke_esm_plants', 'time_configs'), ('voke_esm_config_revisions', 'time_configs'),
         ('voke_esm_request_journal', 'request_body'))
COMPRESSED = (*WHOLE, ('voke_esm_request_journal', 'response_body'))


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table, column in WHOLE:
        op.alter_column(table, column, type_=postgresql.JSON(),
                        postgresql_using=f'{column}::json')
    _compress('lz4' if _has_lz4() else None)


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    _compress('default' if _has_lz4() else None)
    for table, column in WHOLE:
        op.alter_column(table, column, type_=postgresql.JSONB(),
                        postgresql_using=f'{column}::jsonb')


def _has_lz4() -> bool:
    """Whether the server can compress with LZ4: the setting exists from PostgreSQL 14 and
    offers it when the server was built with it (Debian's is)."""
    return bool(op.get_bind().scalar(sa.text(
        "SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
        "WHERE name = 'default_toast_compression'")))


def _compress(method: str | None) -> None:
    for table, column in COMPRESSED if method else ():
        op.execute(f'ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION {method}')
