"""QA workflow: versioned reviews, drafts, disputes, coaching notes, calibration sessions

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 07:30:00

Issue 10 (quality assurance). What changes and why:
- scorecard_criteria gains `description` (shown on the review form), `applies_to` ('all' or
  'public': public defensibility only applies to public replies) and `allow_na`.
- qa_reviews become editable records: `status` (draft / submitted), `version` and
  `updated_at/by` (optimistic locking on edit after submit), `criterion_comments` (JSON),
  `criteria_snapshot` (JSON: the criteria the review was scored on, so a changed scorecard never
  rescores old reviews), `assignment_id` (UNIQUE: two reviewers submitting the same assignment
  at once get one review), `calibration_session_id` (calibration ratings are reviews),
  `submitted_at` and `agent_id` (the reviewed agent, backfilled from the interaction, so agent
  quality needs no join to interactions; ix_qa_reviews_counted covers its aggregates).
  `total` becomes nullable: a draft has no total yet. Existing rows are submitted reviews, so
  they get status 'submitted' and submitted_at = created_at.
- qa_samples gains `drawn_ids` (JSON) so a run can be re-drawn and compared.
- qa_review_scores: a review's points one row per criterion (name, max_points and critical as
  scored), written with every save, so agent quality aggregates criteria in SQL.
- New tables: qa_disputes, coaching_notes + coaching_note_reviews, calibration_sessions,
  calibration_items, calibration_panel.

SQLite: qa_reviews and scorecard_criteria are recreated by batch mode (new foreign keys, a new
CHECK and a nullability change need it); neither has a partial index, which is what batch
recreation would lose (see 0003).
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
COUNTED_REVIEWS = "status = 'submitted' AND calibration_session_id IS NULL"


def _record_columns() -> list[sa.Column]:
    """version / updated_at / updated_by / idempotency_key of an editable record."""
    return [
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.Column("idempotency_key", sa.String(length=64), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "calibration_sessions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("scorecard_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), server_default="open", nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        *_record_columns(),
        sa.CheckConstraint(
            "state IN ('open', 'closed')", name=op.f("ck_calibration_sessions_state")
        ),
        sa.ForeignKeyConstraint(
            ["scorecard_id"],
            ["scorecards.id"],
            name=op.f("fk_calibration_sessions_scorecard_id_scorecards"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calibration_sessions")),
        sa.UniqueConstraint(
            "idempotency_key", name=op.f("uq_calibration_sessions_idempotency_key")
        ),
    )
    op.create_table(
        "calibration_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("interaction_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interactions.id"],
            name=op.f("fk_calibration_items_interaction_id_interactions"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["calibration_sessions.id"],
            name=op.f("fk_calibration_items_session_id_calibration_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calibration_items")),
        sa.UniqueConstraint(
            "session_id",
            "interaction_id",
            name=op.f("uq_calibration_items_session_id_interaction_id"),
        ),
    )
    op.create_table(
        "calibration_panel",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("reviewer", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["calibration_sessions.id"],
            name=op.f("fk_calibration_panel_session_id_calibration_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calibration_panel")),
        sa.UniqueConstraint(
            "session_id", "reviewer", name=op.f("uq_calibration_panel_session_id_reviewer")
        ),
    )

    with op.batch_alter_table("scorecard_criteria") as batch_op:
        batch_op.add_column(sa.Column("description", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("applies_to", sa.String(length=16), server_default="all", nullable=False)
        )
        batch_op.add_column(
            sa.Column("allow_na", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.create_check_constraint("applies_to", "applies_to IN ('all', 'public')")

    with op.batch_alter_table("qa_samples") as batch_op:
        batch_op.add_column(sa.Column("drawn_ids", sa.Text(), nullable=True))

    with op.batch_alter_table("qa_assignments") as batch_op:
        batch_op.create_index(
            "ix_qa_assignments_reviewer_status_due", ["reviewer", "status", "due_at"], unique=False
        )

    with op.batch_alter_table("qa_reviews") as batch_op:
        batch_op.alter_column("total", existing_type=sa.Float(), nullable=True)
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), server_default="submitted", nullable=False)
        )
        batch_op.add_column(sa.Column("criteria_snapshot", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("criterion_comments", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("assignment_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("calibration_session_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("submitted_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("updated_by", sa.String(length=64), nullable=True))
        batch_op.create_check_constraint("status", "status IN ('draft', 'submitted')")
        batch_op.create_unique_constraint(
            batch_op.f("uq_qa_reviews_assignment_id"), ["assignment_id"]
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_qa_reviews_calibration_session_id_interaction_id_reviewer"),
            ["calibration_session_id", "interaction_id", "reviewer"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_qa_reviews_assignment_id_qa_assignments"),
            "qa_assignments",
            ["assignment_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_qa_reviews_calibration_session_id_calibration_sessions"),
            "calibration_sessions",
            ["calibration_session_id"],
            ["id"],
        )
        batch_op.add_column(sa.Column("agent_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_qa_reviews_agent_id_agents"), "agents", ["agent_id"], ["id"]
        )
    op.create_index(
        "ix_qa_reviews_counted",
        "qa_reviews",
        ["submitted_at", "agent_id", "total", "auto_failed", "id"],
        sqlite_where=sa.text(COUNTED_REVIEWS),
        postgresql_where=sa.text(COUNTED_REVIEWS),
    )
    reviews = sa.table(
        "qa_reviews",
        sa.column("interaction_id", sa.Integer),
        sa.column("agent_id", sa.Integer),
        sa.column("submitted_at", sa.DateTime),
        sa.column("created_at", sa.DateTime),
    )
    interactions = sa.table("interactions", sa.column("id"), sa.column("agent_id"))
    handled_by = (
        sa.select(interactions.c.agent_id)
        .where(interactions.c.id == reviews.c.interaction_id)
        .scalar_subquery()
    )
    op.execute(reviews.update().values(submitted_at=reviews.c.created_at, agent_id=handled_by))

    op.create_table(
        "qa_review_scores",
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("points", sa.Float(), nullable=True),
        sa.Column("max_points", sa.Integer(), nullable=False),
        sa.Column("critical", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"], ["qa_reviews.id"], name=op.f("fk_qa_review_scores_review_id_qa_reviews")
        ),
        sa.PrimaryKeyConstraint("review_id", "criterion_id", name=op.f("pk_qa_review_scores")),
    )
    _backfill_snapshots_and_score_rows()
    op.create_table(
        "qa_disputes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("opened_by", sa.String(length=64), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), server_default="open", nullable=False),
        sa.Column("resolved_by", sa.String(length=64), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.Column("old_total", sa.Float(), nullable=True),
        sa.Column("old_auto_failed", sa.Boolean(), nullable=True),
        sa.Column("old_scores", sa.Text(), nullable=True),
        sa.Column("new_total", sa.Float(), nullable=True),
        *_record_columns(),
        sa.CheckConstraint(
            "state IN ('open', 'upheld', 'rescored')", name=op.f("ck_qa_disputes_state")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["qa_reviews.id"], name=op.f("fk_qa_disputes_review_id_qa_reviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_disputes")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_qa_disputes_idempotency_key")),
    )
    op.create_index(op.f("ix_qa_disputes_review_id"), "qa_disputes", ["review_id"], unique=False)

    op.create_table(
        "coaching_notes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        *_record_columns(),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_coaching_notes_agent_id_agents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coaching_notes")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_coaching_notes_idempotency_key")),
    )
    op.create_index(
        op.f("ix_coaching_notes_agent_id"), "coaching_notes", ["agent_id"], unique=False
    )
    op.create_table(
        "coaching_note_reviews",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["note_id"],
            ["coaching_notes.id"],
            name=op.f("fk_coaching_note_reviews_note_id_coaching_notes"),
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["qa_reviews.id"],
            name=op.f("fk_coaching_note_reviews_review_id_qa_reviews"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coaching_note_reviews")),
        sa.UniqueConstraint(
            "note_id", "review_id", name=op.f("uq_coaching_note_reviews_note_id_review_id")
        ),
    )
    op.create_index(
        op.f("ix_coaching_note_reviews_review_id"),
        "coaching_note_reviews",
        ["review_id"],
        unique=False,
    )


def _backfill_snapshots_and_score_rows() -> None:
    """Reviews stored before this revision: snapshot their scorecard's criteria as they are now
    and write their score rows (reviews are few where this runs; new ones get both on save)."""
    conn = op.get_bind()
    criteria = sa.table(
        "scorecard_criteria",
        *[sa.column(name) for name in ("id", "scorecard_id", "name", "weight", "max_points")],
        sa.column("critical", sa.Boolean),
        sa.column("position", sa.Integer),
    )
    reviews = sa.table(
        "qa_reviews",
        sa.column("id", sa.Integer),
        sa.column("scorecard_id", sa.Integer),
        sa.column("scores", sa.Text),
        sa.column("criteria_snapshot", sa.Text),
    )
    score_rows = sa.table(
        "qa_review_scores",
        *[sa.column(name) for name in ("review_id", "criterion_id", "name", "points")],
        sa.column("max_points", sa.Integer),
        sa.column("critical", sa.Boolean),
    )
    by_card: dict[int, list[dict]] = {}
    for row in conn.execute(sa.select(criteria).order_by(criteria.c.position, criteria.c.id)):
        by_card.setdefault(row.scorecard_id, []).append(
            {
                "id": row.id,
                "name": row.name,
                "weight": row.weight,
                "max_points": row.max_points,
                "critical": bool(row.critical),
                "description": None,
                "applies_to": "all",
                "allow_na": True,
            }
        )
    for review in conn.execute(sa.select(reviews)).all():
        card = by_card.get(review.scorecard_id, [])
        scores = json.loads(review.scores or "{}")
        conn.execute(
            reviews.update()
            .where(reviews.c.id == review.id)
            .values(criteria_snapshot=json.dumps(card))
        )
        rows = [
            {
                "review_id": review.id,
                "criterion_id": c["id"],
                "name": c["name"],
                "points": scores[str(c["id"])],
                "max_points": c["max_points"],
                "critical": c["critical"],
            }
            for c in card
            if str(c["id"]) in scores
        ]
        if rows:
            conn.execute(score_rows.insert(), rows)


def downgrade() -> None:
    op.drop_table("coaching_note_reviews")
    op.drop_table("coaching_notes")
    op.drop_table("qa_disputes")
    op.drop_table("qa_review_scores")
    # Drafts have no total; they cannot survive the NOT NULL of the older schema.
    op.execute("DELETE FROM qa_reviews WHERE total IS NULL")
    op.drop_index("ix_qa_reviews_counted", table_name="qa_reviews")
    with op.batch_alter_table("qa_reviews") as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_qa_reviews_agent_id_agents"), type_="foreignkey")
        batch_op.drop_constraint(
            batch_op.f("fk_qa_reviews_calibration_session_id_calibration_sessions"),
            type_="foreignkey",
        )
        batch_op.drop_constraint(
            batch_op.f("fk_qa_reviews_assignment_id_qa_assignments"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("uq_qa_reviews_calibration_session_id_interaction_id_reviewer"),
            type_="unique",
        )
        batch_op.drop_constraint(batch_op.f("uq_qa_reviews_assignment_id"), type_="unique")
        batch_op.drop_constraint(batch_op.f("ck_qa_reviews_status"), type_="check")
        for column in (
            "agent_id",
            "updated_by",
            "updated_at",
            "version",
            "submitted_at",
            "calibration_session_id",
            "assignment_id",
            "criterion_comments",
            "criteria_snapshot",
            "status",
        ):
            batch_op.drop_column(column)
        batch_op.alter_column("total", existing_type=sa.Float(), nullable=False)
    with op.batch_alter_table("qa_assignments") as batch_op:
        batch_op.drop_index("ix_qa_assignments_reviewer_status_due")
    with op.batch_alter_table("qa_samples") as batch_op:
        batch_op.drop_column("drawn_ids")
    with op.batch_alter_table("scorecard_criteria") as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_scorecard_criteria_applies_to"), type_="check")
        batch_op.drop_column("allow_na")
        batch_op.drop_column("applies_to")
        batch_op.drop_column("description")
    op.drop_table("calibration_panel")
    op.drop_table("calibration_items")
    op.drop_table("calibration_sessions")
