"""Published reads' freshness: the space's publish generation.

Every commit that changes what published reads answer raises it (``storage/uow.py``), so an
answer cached under a generation is right for as long as the generation is current. Each
process keeps the generations in memory (``ports.Freshness``): current at once after its own
commits, within ``MASTHEAD_FRESHNESS_SECONDS`` after another process's.
"""

from __future__ import annotations

from masthead.core.documents import Perspective
from masthead.core.models import Actor
from masthead.core.ports import Freshness
from masthead.core.services.documents import require_read


def published_generation(freshness: Freshness, actor: Actor) -> int:
    """Raises AuthRequired, Forbidden (who may not read what is published here)."""
    require_read(actor, Perspective.PUBLISHED)
    return freshness.publish_generation(actor.space_id)
