"""SQLite persistence: schema, migrations and queries."""
