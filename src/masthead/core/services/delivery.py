"""Published reads' freshness: the space's publish generation.

Every commit that changes what published reads answer raises it (``storage/uow.py``), so an
answer cached under a generation is right for as long as the generation is current. Each
process keeps the generations in memory (``ports.Freshness``): current at once after its own
commits, within ``MASTHEAD_FRESHNESS_SECONDS`` after another process's.
"""

from __future__ import annotations

from masthead.core import access
from masthead.core.access import Permission
from masthead.core.documents import Perspective
from masthead.core.models import Actor
from masthead.core.ports import Freshness
from masthead.core.services.documents import require_read


def published_generation(freshness: Freshness, actor: Actor) -> int:
    """Raises AuthRequired, Forbidden (who may not read what is published here)."""
    require_read(actor, Perspective.PUBLISHED)
    return freshness.publish_generation(actor.space_id)


def routes_generation(freshness: Freshness, actor: Actor) -> int:
    """The generation a release route read by ``actor`` is cached under (an activation
    raises it). Raises AuthRequired, Forbidden (who may not read the space's routes: its
    members may, as ``publishing.find_route`` says)."""
    access.require(actor, Permission.READ)
    return freshness.publish_generation(actor.space_id)
