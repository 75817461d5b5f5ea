"""The PostgreSQL store: offices that share one server (psycopg 3, imported only here)."""

from .store import PostgresStore

__all__ = ["PostgresStore"]
