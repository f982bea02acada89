"""Initial schema: ziggurat users/groups/resources, services, remote trees, sync info and locks.

Revision ID: 0001
Revises: 
Create Date: 2026-11-26 15:05:05.234445
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_name', sa.Unicode(length=128), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('member_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_groups')),
    sa.UniqueConstraint('group_name', name=op.f('uq_groups_group_name')),
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('user_name', sa.Unicode(length=128), nullable=True),
    sa.Column('user_password', sa.Unicode(length=256), nullable=True),
    sa.Column('email', sa.Unicode(length=100), nullable=False),
    sa.Column('status', sa.SmallInteger(), nullable=False),
    sa.Column('security_code', sa.Unicode(length=256), nullable=True),
    sa.Column('last_login_date', sa.TIMESTAMP(), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=True),
    sa.Column('registered_date', sa.TIMESTAMP(), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=True),
    sa.Column('security_code_date', sa.TIMESTAMP(), server_default='2000-01-01 01:01', nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email')),
    sa.UniqueConstraint('user_name', name=op.f('uq_users_user_name')),
    )
    op.create_table('external_identities',
    sa.Column('external_id', sa.Unicode(length=255), nullable=False),
    sa.Column('external_user_name', sa.Unicode(length=255), nullable=True),
    sa.Column('local_user_id', sa.Integer(), nullable=False),
    sa.Column('provider_name', sa.Unicode(length=50), nullable=False),
    sa.Column('access_token', sa.Unicode(length=512), nullable=True),
    sa.Column('alt_token', sa.Unicode(length=512), nullable=True),
    sa.Column('token_secret', sa.Unicode(length=512), nullable=True),
    sa.ForeignKeyConstraint(['local_user_id'], ['users.id'], name=op.f('fk_external_identities_local_user_id_users'), onupdate='CASCADE', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('external_id', 'local_user_id', 'provider_name', name='pk_external_identities'),
    )
    op.create_table('groups_permissions',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('perm_name', sa.Unicode(length=64), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_groups_permissions_group_id_groups'), onupdate='CASCADE', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', 'perm_name', name='pk_groups_permissions'),
    )
    op.create_table('resources',
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('resource_name', sa.Unicode(length=512), nullable=False),
    sa.Column('resource_display_name', sa.Unicode(length=512), nullable=True),
    sa.Column('root_service_id', sa.Integer(), nullable=True),
    sa.Column('resource_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('ordering', sa.Integer(), nullable=False),
    sa.Column('resource_type', sa.Unicode(length=30), nullable=False),
    sa.Column('owner_group_id', sa.Integer(), nullable=True),
    sa.Column('owner_user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['owner_group_id'], ['groups.id'], name=op.f('fk_resources_owner_group_id_groups'), onupdate='CASCADE', ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_user_id'], ['users.id'], name=op.f('fk_resources_owner_user_id_users'), onupdate='CASCADE', ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['parent_id'], ['resources.resource_id'], name=op.f('fk_resources_parent_id_resources'), onupdate='CASCADE', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('resource_id', name=op.f('pk_resources')),
    )
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resources_owner_group_id'), ['owner_group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_resources_owner_user_id'), ['owner_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_resources_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_resources_root_service_id'), ['root_service_id'], unique=False)

    op.create_table('users_groups',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_users_groups_group_id_groups'), onupdate='CASCADE', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_users_groups_user_id_users'), onupdate='CASCADE', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', 'user_id', name=op.f('pk_users_groups')),
    )
    op.create_table('users_permissions',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('perm_name', sa.Unicode(length=64), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_users_permissions_user_id_users'), onupdate='CASCADE', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'perm_name', name='pk_users_permissions'),
    )
    op.create_table('groups_resources_permissions',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('perm_name', sa.Unicode(length=50), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_groups_resources_permissions_group_id_groups'), onupdate='CASCADE', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resource_id'], ['resources.resource_id'], name=op.f('fk_groups_resources_permissions_resource_id_resources'), onupdate='CASCADE', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', 'resource_id', 'perm_name', name='pk_groups_resources_permissions'),
    )
    op.create_table('services',
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.Unicode(length=50), nullable=False),
    sa.Column('url', sa.UnicodeText(), nullable=False),
    sa.Column('sync_type', sa.Unicode(length=50), nullable=True),
    sa.Column('configuration', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['resource_id'], ['resources.resource_id'], name=op.f('fk_services_resource_id_resources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('resource_id', name=op.f('pk_services')),
    )
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_services_sync_type'), ['sync_type'], unique=False)
    # resources and services reference each other: this key can only come once both exist.
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_resources_root_service_id_services', 'services',
                                    ['root_service_id'], ['resource_id'], ondelete='CASCADE')

    op.create_table('users_resources_permissions',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('perm_name', sa.Unicode(length=64), nullable=False),
    sa.ForeignKeyConstraint(['resource_id'], ['resources.resource_id'], name=op.f('fk_users_resources_permissions_resource_id_resources'), onupdate='CASCADE', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_users_resources_permissions_user_id_users'), onupdate='CASCADE', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'resource_id', 'perm_name', name='pk_users_resources_permissions'),
    )
    op.create_table('remote_resources',
    sa.Column('resource_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('ordering', sa.Integer(), nullable=False),
    sa.Column('resource_name', sa.Unicode(length=512), nullable=False),
    sa.Column('resource_display_name', sa.Unicode(length=512), nullable=True),
    sa.Column('resource_type', sa.Unicode(length=30), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['remote_resources.resource_id'], name=op.f('fk_remote_resources_parent_id_remote_resources'), onupdate='CASCADE', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['services.resource_id'], name=op.f('fk_remote_resources_service_id_services'), onupdate='CASCADE', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('resource_id', name=op.f('pk_remote_resources')),
    sa.UniqueConstraint('service_id', 'parent_id', 'resource_name', name='uq_remote_resources_sibling_name')
    )
    with op.batch_alter_table('remote_resources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_remote_resources_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_remote_resources_service_id'), ['service_id'], unique=False)

    op.create_table('sync_locks',
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('owner', sa.Unicode(length=255), nullable=False),
    sa.Column('acquired_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['services.resource_id'], name=op.f('fk_sync_locks_service_id_services'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('service_id', name=op.f('pk_sync_locks'))
    )
    op.create_table('remote_resources_sync_info',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('remote_resource_id', sa.Integer(), nullable=True),
    sa.Column('last_sync', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_attempt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.UnicodeText(), nullable=True),
    sa.Column('last_duration', sa.Float(), nullable=True),
    sa.Column('added', sa.Integer(), nullable=True),
    sa.Column('removed', sa.Integer(), nullable=True),
    sa.Column('kept', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['remote_resource_id'], ['remote_resources.resource_id'], name=op.f('fk_remote_resources_sync_info_remote_resource_id_remote_resources'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['service_id'], ['services.resource_id'], name=op.f('fk_remote_resources_sync_info_service_id_services'), onupdate='CASCADE', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_remote_resources_sync_info')),
    sa.UniqueConstraint('service_id', name=op.f('uq_remote_resources_sync_info_service_id'))
    )


def downgrade() -> None:
    op.drop_table('remote_resources_sync_info')
    op.drop_table('sync_locks')
    with op.batch_alter_table('remote_resources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_remote_resources_service_id'))
        batch_op.drop_index(batch_op.f('ix_remote_resources_parent_id'))

    op.drop_table('remote_resources')
    op.drop_table('users_resources_permissions')
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_services_sync_type'))

    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.drop_constraint('fk_resources_root_service_id_services', type_='foreignkey')
    op.drop_table('services')
    op.drop_table('groups_resources_permissions')
    op.drop_table('users_permissions')
    op.drop_table('users_groups')
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resources_root_service_id'))
        batch_op.drop_index(batch_op.f('ix_resources_parent_id'))
        batch_op.drop_index(batch_op.f('ix_resources_owner_user_id'))
        batch_op.drop_index(batch_op.f('ix_resources_owner_group_id'))

    op.drop_table('resources')
    op.drop_table('groups_permissions')
    op.drop_table('external_identities')
    op.drop_table('users')
    op.drop_table('groups')
