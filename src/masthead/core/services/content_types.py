"""Content types: list, get, create, change and delete them; seed the built-in ones.

Changing a type never silently drops stored data: removing a field that documents still use,
or deleting a type that has documents, is refused unless the caller forces it.
"""

from __future__ import annotations

from uuid import UUID, uuid4

from masthead.core import access
from masthead.core.access import Permission
from masthead.core.builtin_types import BUILTIN_TYPES
from masthead.core.content_types import (
    ContentType,
    ContentTypeChanges,
    ContentTypeSpec,
    TypeKind,
    definition_errors,
    field_checker,
)
from masthead.core.errors import (
    BuiltinTypeProtected,
    Conflict,
    ContentTypeExists,
    ContentTypeInUse,
    ContentTypeNotFound,
    FieldError,
    Invalid,
)
from masthead.core.models import Actor
from masthead.core.ports import Clock, UnitOfWork


def _build(
    spec: ContentTypeSpec, space_id: UUID, clock: Clock, *, builtin: bool = False
) -> ContentType:
    now = clock()
    return ContentType(
        id=uuid4(),
        space_id=space_id,
        name=spec.name,
        title=spec.title or spec.name.replace("-", " ").replace("_", " ").title(),
        kind=spec.kind,
        fields=spec.fields,
        route_pattern=spec.route_pattern,
        template=spec.template,
        workflow=spec.workflow,
        is_builtin=builtin,
        created_at=now,
        updated_at=now,
    )


def _check_definition(spec: ContentTypeSpec) -> None:
    details = definition_errors(spec.fields)
    if details:
        raise Invalid("Some fields contradict their own definition", details=details)


def _check_references(uow: UnitOfWork, space_id: UUID, spec: ContentTypeSpec) -> None:
    known = {t.name for t in uow.content_types.list(space_id)} | {spec.name}
    details = [
        FieldError(f"fields.{f.name}.to", f"unknown content type '{f.to}'")
        for f in spec.fields
        if f.to is not None and f.to not in known
    ]
    if details:
        raise Invalid("Reference fields point to unknown types", details=details)


def seed_builtin_types(uow: UnitOfWork, clock: Clock, space_id: UUID) -> None:
    """Add ``post`` and ``page`` to a space that lacks them (inside the caller's transaction)."""
    for spec in BUILTIN_TYPES:
        if uow.content_types.find(space_id, spec.name) is None:
            uow.content_types.add(_build(spec, space_id, clock, builtin=True))


def list_types(uow: UnitOfWork, actor: Actor) -> list[ContentType]:
    access.require(actor, Permission.READ_PUBLISHED)
    with uow:
        return uow.content_types.list(actor.space_id)


def get_type(uow: UnitOfWork, actor: Actor, name: str) -> ContentType:
    """Raises ContentTypeNotFound."""
    access.require(actor, Permission.READ_PUBLISHED)
    with uow:
        return load_type(uow, actor.space_id, name)


def load_type(uow: UnitOfWork, space_id: UUID, name: str) -> ContentType:
    content_type = uow.content_types.find(space_id, name)
    if content_type is None:
        raise ContentTypeNotFound(f"Content type '{name}' not found")
    return content_type


def create_type(uow: UnitOfWork, clock: Clock, actor: Actor, spec: ContentTypeSpec) -> ContentType:
    """Raises Forbidden, ContentTypeExists, Invalid."""
    access.require(actor, Permission.MANAGE_SCHEMA)
    with uow:
        if uow.content_types.find(actor.space_id, spec.name) is not None:
            raise ContentTypeExists(f"Content type '{spec.name}' already exists")
        _check_definition(spec)
        _check_references(uow, actor.space_id, spec)
        content_type = _build(spec, actor.space_id, clock)
        uow.content_types.add(content_type)
        uow.commit()
    return content_type


def update_type(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    name: str,
    spec: ContentTypeSpec,
    *,
    force: bool = False,
) -> ContentType:
    """Replace a type's definition (its name stays). Removing fields that documents use
    raises ContentTypeInUse unless ``force``. Raises Forbidden, ContentTypeNotFound, Invalid."""
    access.require(actor, Permission.MANAGE_SCHEMA)
    if spec.name != name:
        raise Invalid("A type cannot be renamed", details=[FieldError("name", "must stay " + name)])
    with uow:
        updated = _replace(uow, clock, actor, _load_for_update(uow, actor, name), spec, force)
        uow.commit()
    return updated


def patch_type(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    name: str,
    changes: ContentTypeChanges,
    *,
    force: bool = False,
) -> ContentType:
    """Change only the parts of a type that ``changes`` names. The merge and the write are
    one transaction with the type's row locked, so two concurrent patches of different
    parts both persist. Raises as update_type."""
    access.require(actor, Permission.MANAGE_SCHEMA)
    with uow:
        current = _load_for_update(uow, actor, name)
        updated = _replace(uow, clock, actor, current, changes.applied_to(current), force)
        uow.commit()
    return updated


def _load_for_update(uow: UnitOfWork, actor: Actor, name: str) -> ContentType:
    content_type = uow.content_types.find(actor.space_id, name, for_update=True)
    if content_type is None:
        raise ContentTypeNotFound(f"Content type '{name}' not found")
    return content_type


def _replace(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    current: ContentType,
    spec: ContentTypeSpec,
    force: bool,
) -> ContentType:
    _check_definition(spec)
    _check_references(uow, actor.space_id, spec)
    _check_kind_change(uow, current, spec)
    removed = sorted(current.field_names - {f.name for f in spec.fields})
    in_use = {
        field: count
        for field in removed
        if (count := uow.documents.count_using_field(actor.space_id, current.name, field))
    }
    if in_use and not force:
        raise ContentTypeInUse(
            "Removing these fields would drop stored data; pass force=true to proceed",
            details=[FieldError(f, f"used by {n} document(s)") for f, n in in_use.items()],
        )
    refused = [] if force else _values_refused(uow, current, spec)
    if refused:
        raise ContentTypeInUse(
            "Stored documents hold values the new definition refuses; change them first "
            "or pass force=true (they must then be fixed on their next save)",
            details=refused,
        )
    updated = current.model_copy(
        update={
            "title": spec.title or current.title,
            "kind": spec.kind,
            "fields": spec.fields,
            "route_pattern": spec.route_pattern,
            "template": spec.template,
            "workflow": spec.workflow,
            "updated_at": clock(),
        }
    )
    uow.content_types.update(updated)
    return updated


def _check_kind_change(uow: UnitOfWork, current: ContentType, spec: ContentTypeSpec) -> None:
    """A single type holds one document, so a type with more becomes single only once they
    are down to one (force cannot help: the database holds the rule). The type's row is
    locked, and creating a document share-locks it, so the count cannot grow meanwhile."""
    if spec.kind is not TypeKind.SINGLE or current.kind is TypeKind.SINGLE:
        return
    count = uow.documents.count(current.space_id, current.name)
    if count > 1:
        raise Conflict(
            f"'{current.name}' has {count} documents; a single type holds one",
            details=[FieldError("kind", "delete all documents but one first")],
        )


def _values_refused(
    uow: UnitOfWork, current: ContentType, spec: ContentTypeSpec
) -> list[FieldError]:
    """For each field whose definition changes: how many working copies hold a value (or,
    for a newly required field, no value) that the new definition refuses."""
    problems: list[FieldError] = []
    total: int | None = None
    for new in spec.fields:
        old = current.field(new.name)
        if old is None or old == new:
            continue
        check = field_checker(new)
        bad = sum(
            1
            for _, value in uow.documents.field_values(current.space_id, current.name, new.name)
            if not check(value)
        )
        if new.required and not old.required:
            if total is None:
                total = uow.documents.count(current.space_id, current.name)
            bad += total - uow.documents.count_using_field(current.space_id, current.name, new.name)
        if bad:
            problems.append(FieldError(new.name, f"{bad} document(s) hold values it refuses"))
    return problems


def delete_type(uow: UnitOfWork, actor: Actor, name: str, *, force: bool = False) -> None:
    """Delete a type. With documents left it raises ContentTypeInUse unless ``force``, which
    deletes them too. The built-in types are never deleted, even with ``force``: a document
    created without a type is a ``page``. Raises Forbidden, ContentTypeNotFound,
    BuiltinTypeProtected."""
    access.require(actor, Permission.MANAGE_SCHEMA)
    with uow:
        if load_type(uow, actor.space_id, name).is_builtin:
            raise BuiltinTypeProtected(
                f"'{name}' is a built-in content type and cannot be deleted: documents "
                "created without a type use the built-in types. Change its fields instead."
            )
        count = uow.documents.count(actor.space_id, name)
        if count and not force:
            raise ContentTypeInUse(
                f"{count} document(s) of type '{name}' exist; pass force=true to delete them too"
            )
        if count:
            uow.documents.delete_all_of_type(actor.space_id, name)
        uow.content_types.delete(actor.space_id, name)
        uow.commit()
