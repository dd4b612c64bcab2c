"""Services, people and their roles."""

from __future__ import annotations

import re

import sqlite_utils

from bot.storage.audit import AuditLog, stamp
from bot.storage.dialect import dialect_of
from bot.storage.errors import ConflictError, InvalidInputError, NotFoundError
from bot.storage.screen import optional_text
from dialogs.ports import Clock
from ehcp_rules import (
    MAX_DISPLAY_NAME_LENGTH,
    MAX_PROVIDER_LENGTH,
    MAX_SERVICE_NAME_LENGTH,
    Role,
    RoleGrant,
    Service,
    normalise_text,
    screen_text,
)

_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


class ServiceRepository:
    """The provider services the assistant knows."""

    def __init__(self, db: sqlite_utils.Database, audit: AuditLog, *, clock: Clock) -> None:
        self._db = db
        self._nocase = dialect_of(db).nocase
        self._audit = audit
        self._clock = clock

    def add(self, name: str, *, provider: str | None, actor: str) -> Service:
        """Add a service; ``ConflictError`` when the name is taken (names ignore case). Its name
        and provider are screened (``PrivacyError``)."""
        clean = " ".join(
            screen_text(name, field="service name", max_length=MAX_SERVICE_NAME_LENGTH).split()
        )
        provider = optional_text(provider, field="provider", max_length=MAX_PROVIDER_LENGTH)
        if not clean:
            raise InvalidInputError("A service needs a name.")
        if self.find(clean) is not None:
            raise ConflictError(f"There is already a service called {clean!r}.")
        with self._db.atomic():
            (service_id,) = self._db.execute(
                "INSERT INTO services (name, provider, created_at) VALUES (?, ?, ?) RETURNING id",
                [clean, provider, stamp(self._clock)],
            ).fetchone()
            service = Service(id=int(service_id), name=clean, provider=provider)
            self._audit.record(actor, "service added", "service", service.id, name=clean)
        return service

    def all(self) -> list[Service]:
        """Every service, by name."""
        rows = self._db.execute(
            f"SELECT id, name, provider FROM services ORDER BY {self._nocase('name')}"
        ).fetchall()
        return [Service(id=r[0], name=r[1], provider=r[2]) for r in rows]

    def find(self, name: str) -> Service | None:
        """The service with this name (case and spacing ignored), or ``None``."""
        row = self._db.execute(
            "SELECT id, name, provider FROM services "
            f"WHERE {self._nocase('name')} = {self._nocase('?')}",
            [" ".join(normalise_text(name).split())],
        ).fetchone()
        return None if row is None else Service(id=row[0], name=row[1], provider=row[2])

    def named(self, name: str) -> Service:
        """The service with this name; ``NotFoundError`` naming the known ones otherwise."""
        service = self.find(name)
        if service is None:
            known = ", ".join(s.name for s in self.all()) or "none yet"
            raise NotFoundError(f"There is no service called {name!r} (known: {known}).")
        return service

    def get(self, service_id: int) -> Service:
        """The service with this id."""
        row = self._db.execute(
            "SELECT id, name, provider FROM services WHERE id = ?", [service_id]
        ).fetchone()
        if row is None:
            raise NotFoundError(f"There is no service number {service_id}.")
        return Service(id=row[0], name=row[1], provider=row[2])


class PeopleRepository:
    """People, keyed by their Entra ID object id, and the roles an admin grants them."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        audit: AuditLog,
        services: ServiceRepository,
        *,
        clock: Clock,
    ) -> None:
        self._db = db
        self._nocase = dialect_of(db).nocase
        self._audit = audit
        self._clock = clock
        self._services = services

    def grant(
        self,
        object_id: str,
        role: Role,
        *,
        service: str | None,
        display_name: str | None,
        actor: str,
    ) -> RoleGrant:
        """Grant ``role`` (for ``service`` where the role needs one); idempotent. The display name
        is screened (``PrivacyError``)."""
        person = _check_object_id(object_id)
        display_name = optional_text(
            display_name, field="display name", max_length=MAX_DISPLAY_NAME_LENGTH
        )
        service_id = self._service_for(role, service)
        with self._db.atomic():
            self._db.execute(
                "INSERT INTO people (object_id, display_name, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT(object_id) DO UPDATE SET "
                "display_name = coalesce(excluded.display_name, people.display_name)",
                [person, display_name, stamp(self._clock)],
            )
            inserted = self._db.execute(
                "INSERT INTO roles (object_id, role, service_id, granted_by, granted_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [person, role.value, service_id, actor, stamp(self._clock)],
            ).rowcount
            if inserted:
                self._audit.record(
                    actor, "role granted", "person", person, role=role.value, service_id=service_id
                )
        return next(
            g for g in self.roles_of(person) if (g.role, g.service_id) == (role, service_id)
        )

    def revoke(self, object_id: str, role: Role, *, service: str | None, actor: str) -> None:
        """Take a role away; ``NotFoundError`` when the person does not hold it."""
        person = _check_object_id(object_id)
        service_id = self._service_for(role, service)
        with self._db.atomic():
            removed = self._db.execute(
                "DELETE FROM roles "
                "WHERE object_id = ? AND role = ? AND coalesce(service_id, 0) = ?",
                [person, role.value, service_id or 0],
            ).rowcount
            if not removed:
                where = f" for {service}" if service else ""
                raise NotFoundError(f"{person} does not hold the role {role.value}{where}.")
            self._audit.record(
                actor, "role revoked", "person", person, role=role.value, service_id=service_id
            )

    def roles_of(self, object_id: str) -> list[RoleGrant]:
        """Every role this person holds."""
        return self._grants("WHERE r.object_id = ?", [object_id.lower()])

    def all_grants(self) -> list[RoleGrant]:
        """Every role held by anyone, by person then role."""
        return self._grants("", [])

    def _grants(self, where: str, params: list[object]) -> list[RoleGrant]:
        rows = self._db.execute(
            "SELECT r.object_id, p.display_name, r.role, r.service_id, s.name FROM roles r "
            "JOIN people p ON p.object_id = r.object_id "
            f"LEFT JOIN services s ON s.id = r.service_id {where} "
            f"ORDER BY coalesce(p.display_name, r.object_id), r.role, "
            f"{self._nocase('s.name')} NULLS FIRST",
            params,
        ).fetchall()
        return [
            RoleGrant(
                object_id=r[0],
                display_name=r[1],
                role=Role(r[2]),
                service_id=r[3],
                service_name=r[4],
            )
            for r in rows
        ]

    def _service_for(self, role: Role, service: str | None) -> int | None:
        if role.needs_service and not service:
            raise InvalidInputError(
                f"The role {role.value} is for one service: name it with --service."
            )
        if not role.needs_service and service:
            raise InvalidInputError(
                f"The role {role.value} covers every service: leave out --service."
            )
        return self._services.named(service).id if service else None


def _check_object_id(object_id: str) -> str:
    if not _GUID.match(object_id.strip()):
        raise InvalidInputError(
            f"{object_id!r} is not an Entra ID object id (a GUID such as "
            "3f2b1c4e-8a9d-4e7f-9b1a-2c3d4e5f6a7b)."
        )
    return object_id.strip().lower()
