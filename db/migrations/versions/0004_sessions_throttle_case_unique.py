"""session versions, login throttle, case-insensitive unique names

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 07:30:00

users.session_version is carried in the login cookie; logout, disabling a user, a role change
and a password reset bump it, so a cookie issued before is refused server-side (a replayed
cookie lands on the login form). Existing rows start at 1; cookies issued before this revision
carry no version at all and are refused, so everyone logs in once more.

login_throttle counts failed logins per typed username (known or not) and per client address in
a time window, stored so a restart does not reset it.

Topic and scorecard names that differ only in case were refused by the forms only; two admins
saving at once both got through. Unique indexes on lower(name) (SQLite and PostgreSQL both index
expressions) make the database decide. If the data already holds such a pair the upgrade stops
and names it: merging topics changes what interactions refer to, so an admin decides which to
rename.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CASE_UNIQUE = {"topics": "uq_topics_lower_name", "scorecards": "uq_scorecards_lower_name"}


def _refuse_case_duplicates(table: str) -> None:
    names = sa.table(table, sa.column("name", sa.String))
    lowered = sa.func.lower(names.c.name)
    clashes = (
        op.get_bind()
        .execute(sa.select(lowered).group_by(lowered).having(sa.func.count() > 1))
        .scalars()
        .all()
    )
    if clashes:
        raise RuntimeError(
            f"{table} holds names that differ only in case ({', '.join(sorted(clashes))}); "
            "rename one of each pair in Settings, then run the upgrade again."
        )


def upgrade() -> None:
    # Checked before any change: SQLite runs DDL outside the migration's transaction here, so a
    # refusal halfway through would leave a half-upgraded schema.
    for table in _CASE_UNIQUE:
        _refuse_case_duplicates(table)
    with op.batch_alter_table("users", recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), nullable=False, server_default="1")
        )
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttle")),
    )
    for table, index in _CASE_UNIQUE.items():
        op.create_index(index, table, [sa.text("lower(name)")], unique=True)


def downgrade() -> None:
    for table, index in _CASE_UNIQUE.items():
        op.drop_index(index, table_name=table)
    op.drop_table("login_throttle")
    with op.batch_alter_table("users", recreate="never") as batch_op:
        batch_op.drop_column("session_version")
