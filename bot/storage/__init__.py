"""Storage: one SQLite file behind narrow repositories, owned by one thread."""
