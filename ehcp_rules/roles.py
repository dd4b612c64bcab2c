"""Who may do what: the roles an administrator grants, and what each allows (DESIGN.md §1, §5)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A role, granted per Entra ID object id (practitioner and SPOC for one service)."""

    PRACTITIONER = "practitioner"
    SPOC = "spoc"
    DCO = "dco"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        """How the role is named to people."""
        return _LABELS[self]

    @property
    def needs_service(self) -> bool:
        """Practitioners and SPOCs belong to a service; DCOs and admins see every service."""
        return self in (Role.PRACTITIONER, Role.SPOC)


_LABELS = {
    Role.PRACTITIONER: "practitioner",
    Role.SPOC: "single point of contact (SPOC)",
    Role.DCO: "Designated Clinical Officer (DCO)",
    Role.ADMIN: "administrator",
}
