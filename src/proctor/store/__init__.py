"""Storage adapters: SQL through SQLAlchemy (SQLite embedded, PostgreSQL in production) and blobs."""
