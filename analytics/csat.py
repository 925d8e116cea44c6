"""The CSAT rule (docs/metrics.md): a rating of 4 or 5 (of 1–5) is "satisfied"; CSAT is the
satisfied share of rated contacts. One constant, read by every route (raw SQL, the rollups)."""

SATISFIED_FROM = 4  # ratings 4 and 5 are "satisfied"
