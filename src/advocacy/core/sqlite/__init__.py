"""Django's SQLite backend, with a write transaction that waits for the lock in short steps (base.py)."""
