"""`cli.py retag`: apply the current taxonomy again to stored interactions.

Rows whose topic came with the data (topic_source "data") are left alone; every other row is
tagged from its text again and updated only when its topic changes, so a second run changes
nothing (idempotent). Rows are read in arrival order in batches of one transaction each; after
each batch the arrival time reached is saved in job_state under a name tied to the taxonomy and
`since`, so an interrupted run started again with the same taxonomy resumes there (re-reading
at most the rows of that one instant, which tagging again leaves as they are). A finished run
removes its mark. A changed row gets a new updated_at, so the next rollup refresh recounts its
interval's topic counts and its customer's journey (db/topic_rollup.py), and the pages count it
from raw rows until then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, and_, bindparam, delete, func, or_, select, update
from tqdm import tqdm

from analytics.topic_tagging import tag_topic
from db.schema import interactions, job_state
from ingest.tagging import DATA, TAXONOMY, load_taxonomy


@dataclass(frozen=True)
class RetagResult:
    """What a retag run did: rows read, rows whose topic changed, and where it started."""

    read: int
    changed: int
    resumed_from: datetime | None


def _job_name(fingerprint: str, since: datetime | None) -> str:
    return f"retag:{fingerprint}:{'all' if since is None else f'{since:%Y%m%d%H%M%S}'}"


def _taggable(since: datetime | None):
    i = interactions.c
    condition = or_(i.topic_source.is_(None), i.topic_source != DATA)
    return condition if since is None else and_(condition, i.created_at >= since)


def retag_interactions(
    *,
    engine: Engine,
    since: datetime | None = None,
    batch_size: int = 5000,
    progress: bool = False,
    stop_after_batches: int | None = None,
    as_written: bool = False,
) -> RetagResult:
    """Tag every taggable row (arrived at or after `since`, naive UTC) with the current taxonomy.

    Args:
        since: only rows that arrived from then on; None = all.
        batch_size: rows per transaction.
        progress: show a tqdm progress bar.
        stop_after_batches: stop early (tests of resuming; an interrupted run behaves the same).
        as_written: tagging is part of writing the rows (the demo tags what it just stored),
            so their `updated_at` stays; otherwise a new topic stamps its row now, for the
            rollups to recount it.
    """
    i = interactions.c
    with engine.connect() as conn:
        taxonomy = load_taxonomy(engine=conn)
        job = _job_name(taxonomy.fingerprint(), since)
        resumed = conn.scalar(select(job_state.c.watermark).where(job_state.c.name == job))
        start = resumed or since
        total = conn.scalar(
            select(func.count())
            .select_from(interactions)
            .where(_taggable(since), *([i.created_at >= start] if start else []))
        )
    change = (
        update(interactions)
        .where(i.id == bindparam("row_id"))
        .values(topic=bindparam("new_topic"), topic_source=TAXONOMY, updated_at=bindparam("stamp"))
    )
    read = changed = batches = 0
    last: tuple[datetime, int] | None = None
    bar = tqdm(total=total, unit="rows", desc="retag", disable=not progress)
    while True:
        statement = select(i.id, i.created_at, i.updated_at, i.body, i.topic, i.topic_source).where(
            _taggable(since)
        )
        if last is not None:
            statement = statement.where(
                or_(i.created_at > last[0], and_(i.created_at == last[0], i.id > last[1]))
            )
        elif start is not None:
            statement = statement.where(i.created_at >= start)
        statement = statement.order_by(i.created_at, i.id).limit(batch_size)
        with engine.begin() as conn:
            rows = conn.execute(statement).all()
            if not rows:
                conn.execute(delete(job_state).where(job_state.c.name == job))
                break
            updates = []
            stamp = datetime.now(UTC).replace(tzinfo=None)
            for row in rows:
                topic = tag_topic(row.body, taxonomy)
                if topic != row.topic or row.topic_source != TAXONOMY:
                    # Only a new topic is a change the rollups count; a confirmed one keeps
                    # its row's last change.
                    changed_at = stamp if topic != row.topic and not as_written else row.updated_at
                    updates.append({"row_id": row.id, "new_topic": topic, "stamp": changed_at})
            if updates:
                conn.execute(change, updates)
            last = (rows[-1].created_at, rows[-1].id)
            _save_mark(conn, job, last[0])
        read += len(rows)
        changed += len(updates)
        batches += 1
        bar.update(len(rows))
        if stop_after_batches is not None and batches >= stop_after_batches:
            break
    bar.close()
    return RetagResult(read=read, changed=changed, resumed_from=resumed)


def _save_mark(conn, job: str, watermark: datetime) -> None:
    done = conn.execute(
        update(job_state).where(job_state.c.name == job).values(watermark=watermark)
    )
    if done.rowcount == 0:
        conn.execute(job_state.insert().values(name=job, watermark=watermark))
