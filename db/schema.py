"""Table definitions (SQLAlchemy Core) — the single source the Alembic migrations are written from.

All timestamps are naive UTC datetimes (`TIMESTAMP WITHOUT TIME ZONE` on PostgreSQL): the
application converts to the centre's time zone only for display and for day boundaries.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
    true,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

UNANSWERED = "first_response_at IS NULL AND abandoned_at IS NULL"

# SQLite only auto-increments INTEGER PRIMARY KEY; BigInteger elsewhere.
BigId = BigInteger().with_variant(Integer(), "sqlite")

channels = Table(
    "channels",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(64), nullable=False),
    Column("kind", String(16), nullable=False),  # voice / chat / async / social
    Column("is_social", Boolean, nullable=False, default=False),
    Column("sort_order", Integer, nullable=False, default=0),
    CheckConstraint("kind IN ('voice', 'chat', 'async', 'social')", name="kind"),
)

customers = Table(
    "customers",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("name", String(200)),
    Column("created_at", DateTime, nullable=False, server_default=func.current_timestamp()),
)

customer_handles = Table(
    "customer_handles",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("customer_id", ForeignKey("customers.id"), nullable=False, index=True),
    Column("channel_id", ForeignKey("channels.id"), nullable=False),
    Column("handle", String(200), nullable=False),
    UniqueConstraint("channel_id", "handle"),
)

agents = Table(
    "agents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("team", String(64), nullable=False),
    Column("shift", String(32)),
    Column("active", Boolean, nullable=False, default=True),
)

agent_skills = Table(
    "agent_skills",
    metadata,
    Column("agent_id", ForeignKey("agents.id"), primary_key=True),
    Column("channel_id", ForeignKey("channels.id"), primary_key=True),
)

# One row per state change; an agent's current state is its latest row.
agent_states = Table(
    "agent_states",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("agent_id", ForeignKey("agents.id"), nullable=False),
    Column("state", String(16), nullable=False),
    Column("since", DateTime, nullable=False),
    CheckConstraint(
        "state IN ('available', 'busy', 'after_call', 'break', 'offline')", name="state"
    ),
    Index("ix_agent_states_agent_since", "agent_id", "since"),
)

interactions = Table(
    "interactions",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("source", String(64), nullable=False, default="demo"),
    Column("external_id", String(128), nullable=False),
    Column("channel_id", ForeignKey("channels.id"), nullable=False),
    Column("direction", String(8), nullable=False, default="inbound"),
    Column("is_public", Boolean, nullable=False, default=False),
    Column("conversation_id", String(128)),
    Column("customer_id", ForeignKey("customers.id")),
    Column("agent_id", ForeignKey("agents.id")),
    Column("queue", String(64), nullable=False, default="general"),
    Column("priority", String(16), nullable=False, default="normal"),
    Column("topic", String(64)),
    Column("sentiment", Float),
    Column("reach", Integer),
    Column("created_at", DateTime, nullable=False),
    Column("first_response_at", DateTime),
    Column("resolved_at", DateTime),
    Column("abandoned_at", DateTime),
    Column("handle_seconds", Integer),
    Column("status", String(16), nullable=False, default="open"),
    Column("csat", Integer),
    Column("body", Text),
    # Where `sentiment` came from: "data" (the imported row or the demo), "vader" (scored at
    # import, analytics/sentiment.py); NULL for rows stored before it was recorded (0008).
    Column("sentiment_source", String(16)),
    # Where `topic` came from: "data" (the imported row carried it; retag leaves it) or
    # "taxonomy" (tagged by analytics/topic_tagging.py; retag recomputes it).
    Column("topic_source", String(16)),
    # False for a customer's follow-up message in a conversation: only the thread's first
    # inbound message counts as a contact (db/threads.py; docs/metrics.md: FRT per conversation).
    Column("is_thread_start", Boolean, nullable=False, server_default=true()),
    # Bumped on every change so the rollup refresh knows which intervals to recompute.
    Column("updated_at", DateTime, nullable=False),
    UniqueConstraint("source", "external_id"),
    CheckConstraint("direction IN ('inbound', 'outbound')", name="direction"),
    CheckConstraint("status IN ('open', 'pending', 'resolved', 'abandoned')", name="status"),
    CheckConstraint("csat IS NULL OR (csat BETWEEN 1 AND 5)", name="csat"),
    CheckConstraint("sentiment IS NULL OR (sentiment BETWEEN -1 AND 1)", name="sentiment"),
    Index("ix_interactions_created_channel", "created_at", "channel_id"),
    Index("ix_interactions_channel_created", "channel_id", "created_at"),
    Index("ix_interactions_updated_at", "updated_at"),
    Index("ix_interactions_status", "status", "first_response_at"),
    # A conversation's messages in arrival order: finds thread starts (db/threads.py, migration
    # 0003) and the drill-down's conversation.
    Index("ix_interactions_thread", "source", "conversation_id", "created_at"),
    Index("ix_interactions_customer", "customer_id"),
    Index("ix_interactions_agent_created", "agent_id", "created_at"),
    # Partial: only contacts still waiting, so pending-vs-breached "now" is cheap (migration 0002).
    Index(
        "ix_interactions_unanswered",
        "channel_id",
        "created_at",
        sqlite_where=text(UNANSWERED),
        postgresql_where=text(UNANSWERED),
    ),
)

business_calendars = Table(
    "business_calendars",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("timezone", String(64), nullable=False),
    # JSON: {"mon": [["09:00", "17:00"]], ...}; days not listed are closed.
    Column("weekly_hours", Text, nullable=False),
)

sla_policies = Table(
    "sla_policies",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("channel_id", ForeignKey("channels.id"), nullable=False),
    Column("priority", String(16)),  # null = any priority
    Column("is_public", Boolean),  # null = public and private alike
    Column("target_seconds", Integer, nullable=False),
    Column("goal_percent", Float, nullable=False),
    Column("business_hours", ForeignKey("business_calendars.id")),  # null = 24/7
    Column("abandon_rule", String(16), nullable=False, default="fail"),
    Column("short_abandon_seconds", Integer, nullable=False, default=5),
    Column("active_from", DateTime, nullable=False),
    Column("version", Integer, nullable=False, default=1),
    Column("updated_at", DateTime),
    Column("updated_by", String(64)),
    CheckConstraint("abandon_rule IN ('fail', 'exclude', 'exclude_short')", name="abandon_rule"),
    CheckConstraint("target_seconds > 0", name="target_positive"),
    CheckConstraint("goal_percent > 0 AND goal_percent <= 100", name="goal_range"),
)

scorecards = Table(
    "scorecards",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("version", Integer, nullable=False, default=1),
    Column("updated_at", DateTime),
    Column("updated_by", String(64)),
)

scorecard_criteria = Table(
    "scorecard_criteria",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("scorecard_id", ForeignKey("scorecards.id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("weight", Float, nullable=False),
    Column("max_points", Integer, nullable=False),
    Column("critical", Boolean, nullable=False, default=False),
    Column("position", Integer, nullable=False, default=0),
    # QA workflow (migration 0005): what the reviewer reads, where the criterion applies and
    # whether it may be marked N/A.
    Column("description", Text),
    Column("applies_to", String(16), nullable=False, server_default="all"),
    Column("allow_na", Boolean, nullable=False, server_default=true()),
    CheckConstraint("weight > 0", name="weight_positive"),
    CheckConstraint("max_points > 0", name="max_points_positive"),
    CheckConstraint("applies_to IN ('all', 'public')", name="applies_to"),
)

qa_samples = Table(
    "qa_samples",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("rule", Text, nullable=False),  # JSON description of the sampling rule
    Column("seed", Integer, nullable=False),
    Column("size", Integer, nullable=False),
    Column("idempotency_key", String(64), unique=True),
    Column("drawn_ids", Text),  # JSON list of the drawn interaction ids (migration 0005)
)

qa_assignments = Table(
    "qa_assignments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sample_id", ForeignKey("qa_samples.id"), nullable=False, index=True),
    Column("interaction_id", ForeignKey("interactions.id"), nullable=False),
    Column("reviewer", String(64), nullable=False),
    Column("due_at", DateTime),
    Column("status", String(16), nullable=False, default="open"),
    UniqueConstraint("sample_id", "interaction_id", "reviewer"),
    # A reviewer's queue: open assignments by due date (migration 0005).
    Index("ix_qa_assignments_reviewer_status_due", "reviewer", "status", "due_at"),
)

# --- QA workflow (migration 0005): calibration, reviews, disputes, coaching -------------------

calibration_sessions = Table(
    "calibration_sessions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("scorecard_id", ForeignKey("scorecards.id"), nullable=False),
    Column("state", String(16), nullable=False, server_default="open"),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("updated_at", DateTime),
    Column("updated_by", String(64)),
    Column("idempotency_key", String(64), unique=True),
    CheckConstraint("state IN ('open', 'closed')", name="state"),
)

calibration_items = Table(
    "calibration_items",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", ForeignKey("calibration_sessions.id"), nullable=False),
    Column("interaction_id", ForeignKey("interactions.id"), nullable=False),
    UniqueConstraint("session_id", "interaction_id"),
)

calibration_panel = Table(
    "calibration_panel",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", ForeignKey("calibration_sessions.id"), nullable=False),
    Column("reviewer", String(64), nullable=False),
    UniqueConstraint("session_id", "reviewer"),
)

# Reviews that count in agent quality: submitted, not calibration ratings.
COUNTED_REVIEWS = "status = 'submitted' AND calibration_session_id IS NULL"

# One review of one interaction. A review carries the criteria it was scored on
# (`criteria_snapshot`, JSON), so editing a scorecard later never rescores it. Calibration
# ratings are reviews with a calibration_session_id; they never count in agent quality.
qa_reviews = Table(
    "qa_reviews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("interaction_id", ForeignKey("interactions.id"), nullable=False, index=True),
    Column("reviewer", String(64), nullable=False),
    Column("scorecard_id", ForeignKey("scorecards.id"), nullable=False),
    Column("scores", Text, nullable=False),  # JSON {criterion_id: points or null for N/A}
    Column("comment", Text),
    Column("total", Float),  # null while a draft (and for a review with every criterion N/A)
    Column("auto_failed", Boolean, nullable=False, default=False),
    Column("created_at", DateTime, nullable=False),
    Column("idempotency_key", String(64), unique=True),
    Column("status", String(16), nullable=False, server_default="submitted"),
    Column("criteria_snapshot", Text),  # JSON list of the criteria as scored
    Column("criterion_comments", Text),  # JSON {criterion_id: comment}
    # Unique: two reviewers submitting the same assignment at once get one review (NULLs are
    # distinct on both backends, so reviews without an assignment are not constrained).
    Column("assignment_id", ForeignKey("qa_assignments.id"), unique=True),
    Column("calibration_session_id", ForeignKey("calibration_sessions.id")),
    Column("submitted_at", DateTime),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("updated_at", DateTime),
    Column("updated_by", String(64)),
    # The agent whose work was reviewed (the interaction's agent when the review was started):
    # agent quality groups reviews without reading interactions.
    Column("agent_id", ForeignKey("agents.id")),
    CheckConstraint("status IN ('draft', 'submitted')", name="status"),
    # One rating per reviewer and item of a calibration session.
    UniqueConstraint("calibration_session_id", "interaction_id", "reviewer"),
    # Agent quality over a period: the reviews that count, by submission time, covering what
    # the aggregates read, id included for the join to qa_review_scores (partial, like
    # ix_interactions_unanswered).
    Index(
        "ix_qa_reviews_counted",
        "submitted_at",
        "agent_id",
        "total",
        "auto_failed",
        "id",
        sqlite_where=text(COUNTED_REVIEWS),
        postgresql_where=text(COUNTED_REVIEWS),
    ),
)

# The review's scores one row per criterion (N/A: points NULL), written with every save, so
# agent quality aggregates criteria in SQL instead of parsing JSON. Name, max_points and critical
# are the snapshot's: a later scorecard edit does not change them.
qa_review_scores = Table(
    "qa_review_scores",
    metadata,
    Column("review_id", ForeignKey("qa_reviews.id"), primary_key=True),
    Column("criterion_id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("points", Float),
    Column("max_points", Integer, nullable=False),
    Column("critical", Boolean, nullable=False),
)

qa_disputes = Table(
    "qa_disputes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("review_id", ForeignKey("qa_reviews.id"), nullable=False, index=True),
    Column("opened_by", String(64), nullable=False),
    Column("opened_at", DateTime, nullable=False),
    Column("reason", Text, nullable=False),
    Column("state", String(16), nullable=False, server_default="open"),
    Column("resolved_by", String(64)),
    Column("resolved_at", DateTime),
    Column("resolution_note", Text),
    # The review's score when the dispute was opened and after it was resolved: a rescore
    # changes the review, the dispute keeps what it was.
    Column("old_total", Float),
    Column("old_auto_failed", Boolean),
    Column("old_scores", Text),
    Column("new_total", Float),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("updated_at", DateTime),
    Column("updated_by", String(64)),
    Column("idempotency_key", String(64), unique=True),
    CheckConstraint("state IN ('open', 'upheld', 'rescored')", name="state"),
)

coaching_notes = Table(
    "coaching_notes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("agent_id", ForeignKey("agents.id"), nullable=False, index=True),
    Column("author", String(64), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("updated_at", DateTime),
    Column("updated_by", String(64)),
    Column("idempotency_key", String(64), unique=True),
)

# The reviews a coaching note came from.
coaching_note_reviews = Table(
    "coaching_note_reviews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("note_id", ForeignKey("coaching_notes.id"), nullable=False),
    Column("review_id", ForeignKey("qa_reviews.id"), nullable=False, index=True),
    UniqueConstraint("note_id", "review_id"),
)

# --- end of the QA workflow block -------------------------------------------------------------

replies = Table(
    "replies",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("interaction_id", ForeignKey("interactions.id"), nullable=False, index=True),
    Column("author_agent_id", ForeignKey("agents.id")),
    Column("body", Text, nullable=False),
    Column("state", String(16), nullable=False, default="draft"),
    Column("reviewer", String(64)),
    Column("reason", Text),
    Column("template_id", ForeignKey("playbook_entries.id")),
    Column("version", Integer, nullable=False, default=1),
    Column("created_at", DateTime, nullable=False),
    Column("submitted_at", DateTime),
    Column("reviewed_at", DateTime),
    Column("published_at", DateTime),
    Column("updated_at", DateTime),
    Column("updated_by", String(64)),
    # Reply review (migration 0007): the rules that caught the reply (names, one per line), the
    # agent's draft when a reviewer edited it, the decision's outcome and comment, and the
    # private follow-up created when the conversation was moved to a private channel.
    Column("rules", Text),
    Column("original_body", Text),
    Column("outcome", String(16)),
    Column("comment", Text),
    Column("follow_up_interaction_id", BigInteger),
    CheckConstraint(
        "state IN ('draft', 'pending_review', 'approved', 'rejected', 'published')",
        name="state",
    ),
    CheckConstraint(
        "outcome IS NULL OR outcome IN ('approved', 'edited', 'rejected', 'moved_private')",
        name="outcome",
    ),
    Index("ix_replies_state_submitted", "state", "submitted_at"),
)

# Which replies need review (admin rules, Settings; analytics/reply_review.py matches them).
review_rules = Table(
    "review_rules",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("topic", String(64)),
    Column("threshold", Float),
    Column("words", Text),
    Column("active", Boolean, nullable=False, default=True),
    Column("version", Integer, nullable=False, default=1),
    Column("updated_at", DateTime),
    Column("updated_by", String(64)),
    CheckConstraint("kind IN ('topic', 'negative', 'reach', 'new_agent', 'wording')", name="kind"),
)

playbook_entries = Table(
    "playbook_entries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("issue", String(200), nullable=False),
    Column("topic", String(64)),
    Column("response_template", Text, nullable=False),
    Column("escalation", Text),
    Column("move_to_private", Boolean, nullable=False, default=False),
    Column("version", Integer, nullable=False, default=1),
    Column("updated_at", DateTime),
    Column("updated_by", String(64)),
)

stakeholders = Table(
    "stakeholders",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("email", String(200), nullable=False),
    Column("topic", String(64)),
    Column("role", String(100)),
    Column("version", Integer, nullable=False, default=1),
    Column("updated_at", DateTime),
    Column("updated_by", String(64)),
)

topics = Table(
    "topics",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("keywords", Text, nullable=False, default=""),  # comma-separated match words
    # Regular expressions, one per line (case-insensitive), matched like the keywords.
    Column("patterns", Text, nullable=False, server_default=""),
    # When several topics match one text, the lowest priority number wins (then the name).
    Column("priority", Integer, nullable=False, server_default=text("100")),
    Column("active", Boolean, nullable=False, default=True),
    Column("version", Integer, nullable=False, default=1),
    Column("updated_at", DateTime),
    Column("updated_by", String(64)),
)

# The forms refuse names that differ only in case ("Billing" / "billing"); these indexes make the
# database refuse them too, so two admins saving at once cannot both get through (migration 0004).
Index("uq_topics_lower_name", func.lower(topics.c.name), unique=True)
Index("uq_scorecards_lower_name", func.lower(scorecards.c.name), unique=True)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),  # always lower case
    Column("display_name", String(200), nullable=False),
    Column("email", String(200)),
    Column("password_hash", String(200), nullable=False),  # bcrypt
    Column("roles", String(200), nullable=False, default=""),  # comma-separated
    Column("disabled", Boolean, nullable=False, default=False),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", DateTime),
    # Carried in the login cookie; bumped by logout, disabling, a role change and a password
    # reset, so every cookie issued before is refused (migration 0004).
    Column("session_version", Integer, nullable=False, server_default=text("1")),
    Column("version", Integer, nullable=False, default=1),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime),
    Column("updated_by", String(64)),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False, index=True),
    Column("username", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("table_name", String(64), nullable=False),
    Column("record_id", String(64)),
    Column("before", Text),
    Column("after", Text),
)

# Failed-login counters per typed username (known or not) and per client address, so guessing
# is slowed down for names that do not exist too and the count survives a restart. One row per
# key ("user:<name>", "client:<ip>"), updated with one atomic upsert (queries/login.py).
login_throttle = Table(
    "login_throttle",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("window_start", DateTime, nullable=False),
)

# Column mappings saved by the Import page (ingest/mapping.py), reused by name from the page and
# from `cli.py import --mapping NAME`. `definition` is the mapping as JSON (migration 0010).
import_mappings = Table(
    "import_mappings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("definition", Text, nullable=False),
    Column("version", Integer, nullable=False, default=1),
    Column("updated_at", DateTime),
    Column("updated_by", String(64)),
)

# 15-minute x channel x queue rollup of interactions by arrival (created_at, UTC).
interval_stats = Table(
    "interval_stats",
    metadata,
    Column("interval_start", DateTime, primary_key=True),
    Column("channel_id", String(32), primary_key=True),
    Column("queue", String(64), primary_key=True),
    Column("offered", Integer, nullable=False, default=0),
    Column("answered", Integer, nullable=False, default=0),
    Column("met", Integer, nullable=False, default=0),  # answered within the policy target
    Column("abandoned", Integer, nullable=False, default=0),
    Column("abandoned_short", Integer, nullable=False, default=0),  # under the short threshold
    Column("resolved", Integer, nullable=False, default=0),
    Column("sum_frt_seconds", Float, nullable=False, default=0),
    Column("sum_handle_seconds", Float, nullable=False, default=0),
    Column("handled", Integer, nullable=False, default=0),  # contacts with handle_seconds
    Column("public_offered", Integer, nullable=False, default=0),
    # CSAT of the interval's contacts (migration 0014): rated, rated 4–5, and the ratings' sum.
    Column("csat_rated", Integer, nullable=False, server_default="0"),
    Column("csat_satisfied", Integer, nullable=False, server_default="0"),
    Column("csat_sum", Integer, nullable=False, server_default="0"),
    Index("ix_interval_stats_channel_interval", "channel_id", "interval_start"),
    # The queues seen on some channels, one probe per queue (queries/sl_read.py, 0012).
    Index("ix_interval_stats_queue_channel", "queue", "channel_id"),
)

# FRT histogram of each interval_stats row (migration 0012): answered contacts per FRT bucket
# (analytics.percentiles.EDGES), with their summed FRT, so p50/p90 of any slice are merged from
# the rollup instead of reading every contact's FRT. Refreshed with interval_stats.
interval_frt_hist = Table(
    "interval_frt_hist",
    metadata,
    Column("interval_start", DateTime, primary_key=True),
    Column("channel_id", String(32), primary_key=True),
    Column("queue", String(64), primary_key=True),
    Column("bucket", Integer, primary_key=True),
    Column("n", Integer, nullable=False),
    Column("sum_seconds", Float, nullable=False),
)

# The same counts summed per local day of `timezone` (migration 0014, db/day_rollup.py), so a
# long period reads one row per day × channel × queue instead of 96. Rebuilt from interval_stats
# in the refresh that rebuilds those intervals; a change of time zone recounts it all.
day_stats = Table(
    "day_stats",
    metadata,
    Column("local_day", Integer, primary_key=True),  # days since 1970-01-01 in `timezone`
    Column("channel_id", String(32), primary_key=True),
    Column("queue", String(64), primary_key=True),
    Column("offered", Integer, nullable=False),
    Column("answered", Integer, nullable=False),
    Column("met", Integer, nullable=False),
    Column("abandoned", Integer, nullable=False),
    Column("abandoned_short", Integer, nullable=False),
    Column("resolved", Integer, nullable=False),
    Column("sum_frt_seconds", Float, nullable=False),
    Column("sum_handle_seconds", Float, nullable=False),
    Column("handled", Integer, nullable=False),
    Column("public_offered", Integer, nullable=False),
    Column("csat_rated", Integer, nullable=False),
    Column("csat_satisfied", Integer, nullable=False),
    Column("csat_sum", Integer, nullable=False),
    Column("timezone", String(64), nullable=False),
)

# interval_frt_hist summed per local day (migration 0014), alongside day_stats.
day_frt_hist = Table(
    "day_frt_hist",
    metadata,
    Column("local_day", Integer, primary_key=True),
    Column("channel_id", String(32), primary_key=True),
    Column("queue", String(64), primary_key=True),
    Column("bucket", Integer, primary_key=True),
    Column("n", Integer, nullable=False),
    Column("sum_seconds", Float, nullable=False),
)

# Topics page rollup (migration 0011, db/topic_rollup.py): contacts per local day of `timezone`
# × channel × topic × public/private, with the negative count by `negative_below`. Refreshed with
# interval_stats; a change of either setting recounts the whole table on the next refresh.
topic_stats = Table(
    "topic_stats",
    metadata,
    Column("local_day", Integer, primary_key=True),  # days since 1970-01-01 in `timezone`
    Column("channel_id", String(32), primary_key=True),
    Column("topic", String(64), primary_key=True),  # "(no topic)" for none
    Column("is_public", Boolean, primary_key=True),
    Column("contacts", Integer, nullable=False),
    Column("negative", Integer, nullable=False),  # sentiment below negative_below
    Column("scored", Integer, nullable=False),  # with a sentiment
    Column("timezone", String(64), nullable=False),
    Column("negative_below", Float, nullable=False),
)

# Each contact of a known customer with what its customer's next contact was (migration 0011,
# db/topic_rollup.py), so journey figures are a sum, not a self-join; any repeat window can be
# asked of gap_seconds. Recomputed per customer when any of their interactions changes; all of it
# when the time zone of topic_stats changes.
next_contacts = Table(
    "next_contacts",
    metadata,
    Column("interaction_id", BigInteger, primary_key=True, autoincrement=False),
    Column("customer_id", BigInteger, nullable=False, index=True),
    Column("created_at", DateTime, nullable=False),
    Column("local_day", Integer, nullable=False),  # as topic_stats.local_day, same time zone
    Column("channel_id", String(32), nullable=False),
    Column("topic", String(64)),
    Column("resolved", Boolean, nullable=False),
    # Whole seconds from this contact's resolution to the next contact's arrival (NULL: not
    # resolved, or no next contact); repeated when ≤ the repeat window.
    Column("gap_seconds", BigInteger),
    Column("next_other_channel", Boolean, nullable=False),  # the next is on another channel
    Column("answered_pair", Boolean, nullable=False),  # both answered by an agent
    Column("same_agent", Boolean, nullable=False),  # ... by the same agent
    # Which customers had a contact in a run of intervals (db/topic_rollup.py).
    Index("ix_next_contacts_created_customer", "created_at", "customer_id"),
    # Covers the journey figures' sums per day, channel and topic.
    Index(
        "ix_next_contacts_period",
        "local_day",
        "channel_id",
        "topic",
        "resolved",
        "gap_seconds",
        "next_other_channel",
        "answered_pair",
        "same_agent",
        "created_at",
    ),
)

# The topic key the local-day rollups (topic_stats, journey_day_stats) store for a contact
# without a topic.
NO_TOPIC = "(no topic)"

# next_contacts summed per local day × channel × topic for one repeat window (migration 0015,
# db/journey_day_rollup.py), so a period's journey figures sum day rows, not every contact's row.
# Recounted with next_contacts in the same transaction; a read in another time zone or with
# another window sums next_contacts instead.
journey_day_stats = Table(
    "journey_day_stats",
    metadata,
    Column("local_day", Integer, primary_key=True),  # as next_contacts.local_day, in `timezone`
    Column("channel_id", String(32), primary_key=True),
    Column("topic", String(64), primary_key=True),  # NO_TOPIC for none
    Column("resolved", Integer, nullable=False),
    Column("repeated", Integer, nullable=False),  # gap_seconds ≤ window_seconds
    Column("switched", Integer, nullable=False),
    Column("answered_pairs", Integer, nullable=False),
    Column("same_agent", Integer, nullable=False),
    Column("window_seconds", BigInteger, nullable=False),  # the repeat window counted with
    Column("timezone", String(64), nullable=False),
)

# Watermarks of incremental jobs (the rollup refresh).
job_state = Table(
    "job_state",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("watermark", DateTime),
)

# --- Frozen weekly reports (migration 0009) ------------------------------------------------------
# One row per issue of a week's report: issue 1 is the report as first published; an admin's
# re-issue adds issue 2, 3, … and never changes an earlier one. Each figure is stored as reported.
weekly_reports = Table(
    "weekly_reports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("week", String(8), nullable=False),  # ISO week, "2026-W47"
    Column("issue", Integer, nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("frozen_at", DateTime, nullable=False),
    Column("frozen_by", String(64), nullable=False),
    Column("reason", Text),
    UniqueConstraint("week", "issue"),
)

weekly_report_figures = Table(
    "weekly_report_figures",
    metadata,
    Column("report_id", ForeignKey("weekly_reports.id"), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("section", String(64), nullable=False),
    Column("label", String(300), nullable=False),
    Column("value", Float),
    Column("unit", String(16), nullable=False),
    Column("n", Integer),
    Column("goal", Float),
)

# --- Topics and customer journeys (issue 12; migration 0008) ---------------------------------
# "Stakeholders informed" about a spiking topic: who pressed the button, when, for which topic
# and period (the ISO week or day of the spike), so the next supervisor sees it was done. One
# row per click; the idempotency key makes a double submit one row.
topic_notifications = Table(
    "topic_notifications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("topic", String(64), nullable=False),
    Column("period", String(16), nullable=False),  # "2026-W48" or "2026-11-30"
    Column("stakeholders", Text, nullable=False),  # the names told, comma-separated
    Column("note", Text),
    Column("informed_by", String(64), nullable=False),
    Column("informed_at", DateTime, nullable=False),
    Column("idempotency_key", String(64), unique=True),
    Index("ix_topic_notifications_topic_period", "topic", "period"),
)
# The Topics page counts contacts per local day and topic: a covering index keeps that an
# index-only scan of the period (created_at first), also for the channel / public filters.
Index(
    "ix_interactions_topic_trend",
    interactions.c.created_at,
    interactions.c.topic,
    interactions.c.channel_id,
    interactions.c.is_public,
    interactions.c.sentiment,
    interactions.c.direction,
    interactions.c.is_thread_start,
)
# Journey figures read each customer's contacts in arrival order (the next contact of each):
# covering, so the window function reads the index alone.
Index(
    "ix_interactions_customer_journey",
    interactions.c.customer_id,
    interactions.c.created_at,
    interactions.c.id,
    interactions.c.direction,
    interactions.c.is_thread_start,
    interactions.c.resolved_at,
    interactions.c.channel_id,
    interactions.c.topic,
    interactions.c.first_response_at,
    interactions.c.agent_id,
)
# The Customer journey finds a customer by an exact handle on any channel (the unique
# constraint leads with the channel).
Index("ix_customer_handles_handle", customer_handles.c.handle)
