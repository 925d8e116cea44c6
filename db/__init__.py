"""Database layer: settings, engine, table definitions, migrations and rollup refresh."""
