"""Every SQL statement of Floorlight: reads that return DataFrames and the form writes.

SQLAlchemy Core only, values always as bound parameters. Functions are keyword-only and take
the engine explicitly (`list_users(engine=...)`); writes open their own transaction, or join
the caller's when handed a `Connection` (see `queries.writes`). Nothing here imports
streamlit or caches: caching belongs to the page/components boundary.
"""
