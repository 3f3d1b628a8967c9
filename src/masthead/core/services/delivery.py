"""Published reads' freshness: the space's publish generation.

Every commit that changes what published reads answer raises it (``storage/uow.py``), so an
answer cached under a generation is right for as long as the generation is current, in any
process. Reading it is one primary-key lookup.
"""

from __future__ import annotations

from masthead.core.documents import Perspective
from masthead.core.models import Actor
from masthead.core.ports import UnitOfWork
from masthead.core.services.documents import require_read


def published_generation(uow: UnitOfWork, actor: Actor) -> int:
    """Raises AuthRequired, Forbidden (who may not read what is published here)."""
    require_read(actor, Perspective.PUBLISHED)
    with uow:
        return uow.generations.get(actor.space_id)
