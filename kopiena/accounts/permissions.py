"""Which organisations a user may act for with a capability (e.g. import data for a school)."""

from __future__ import annotations

from kopiena.accounts.models import User
from kopiena.accounts.roles import CAPABILITIES, Capability, Role


def organisations_with(user: User, capability: Capability) -> set[int]:
    """Ids of the organisations where one of the user's memberships grants ``capability``."""
    return {
        m.organisation_id
        for m in user.active_memberships()
        if capability in CAPABILITIES[Role(m.role)]
    }
