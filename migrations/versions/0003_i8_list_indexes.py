"""Organizations listed by name without sorting the table: an index in list order.

Revision ID: 0003_i8_list_indexes
Revises: 0003_fault_rules
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = '0003_i8_list_indexes'
down_revision = '0003_fault_rules'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.create_index('ix_organizations_name_slug', ['name', 'slug'], unique=False)


def downgrade():
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_index('ix_organizations_name_slug')
