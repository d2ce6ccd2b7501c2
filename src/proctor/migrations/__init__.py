"""Alembic migrations. Each module has its own branch (`<module>_0001` …) depending on core."""
