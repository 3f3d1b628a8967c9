"""Setting a member's role in the core (accounts.set_member_role): who may, over whom, and
what the membership becomes; on both databases."""

from __future__ import annotations

import pytest

from masthead.core.errors import Forbidden, UserNotFound
from masthead.core.models import Actor, Role
from masthead.core.services import accounts
from masthead.storage.uow import Database
from tests.conftest import FakeClock
from tests.factories import make_user


def test_an_admin_changes_and_removes_a_members_role(
    db: Database, clock: FakeClock, admin: Actor, editor: Actor
) -> None:
    assert editor.user_id is not None
    user = accounts.set_member_role(db.uow(), clock, admin, editor.user_id, Role.VIEWER)
    assert [(m.space_id, m.role) for m in user.memberships] == [(admin.space_id, Role.VIEWER)]
    user = accounts.set_member_role(db.uow(), clock, admin, editor.user_id, None)
    assert user.memberships == ()


def test_nobody_changes_their_own_role(db: Database, clock: FakeClock, admin: Actor) -> None:
    assert admin.user_id is not None
    with pytest.raises(Forbidden):
        accounts.set_member_role(db.uow(), clock, admin, admin.user_id, Role.VIEWER)


def test_only_admins_change_roles(
    db: Database, clock: FakeClock, editor: Actor, viewer: Actor
) -> None:
    assert viewer.user_id is not None
    with pytest.raises(Forbidden):
        accounts.set_member_role(db.uow(), clock, editor, viewer.user_id, Role.ADMIN)


def test_a_space_admin_cannot_bring_in_a_user_of_no_membership_here(
    db: Database, clock: FakeClock, admin: Actor
) -> None:
    stranger = make_user(db, clock, "stranger", role=None)
    with pytest.raises(UserNotFound):
        accounts.set_member_role(db.uow(), clock, admin, stranger.id, Role.EDITOR)
