"""Storage errors: the dialogs' port declares the ones a person can act on; these add the rest."""

from __future__ import annotations

from dialogs.ports import ConflictError, InvalidInputError, NotFoundError, StoreError

StorageError = StoreError

__all__ = [
    "ConflictError",
    "ConnectionStringError",
    "InvalidInputError",
    "MigrationError",
    "NotFoundError",
    "SchemaTooNewError",
    "StorageError",
]


class SchemaTooNewError(StorageError):
    """The file was written by a newer version of the assistant than this one."""

    def __init__(self, source: str, found: int, known: int) -> None:
        super().__init__(
            f"{source} was written by a newer version of the EHCP assistant (schema {found}; "
            f"this version knows up to {known}). Upgrade the assistant, or restore a backup."
        )


class MigrationError(StorageError):
    """A schema change would leave the database inconsistent; nothing of it was applied."""

    def __init__(self, version: int, problem: str) -> None:
        super().__init__(f"schema change {version} was not applied: {problem}")


class ConnectionStringError(StorageError, ValueError):
    """A ``postgresql://`` URL with a value the product cannot use."""
