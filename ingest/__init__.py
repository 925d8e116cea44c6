"""Getting interactions into the database: fast bulk loading, the demo centre, the live floor
simulator and the CSV/JSONL importer."""
