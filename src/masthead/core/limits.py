"""Input limits, declared once. The core enforces them; dialects' wire models reuse them, so
a request refused at the edge and one refused by a service name the same bound."""

from __future__ import annotations

MAX_TITLE = 500  # a document's title
MAX_SLUG = 200
MAX_TYPE_TITLE = 200  # a content type's title
MAX_TYPE_NAME = 64  # content type names (core/content_types.TYPE_NAME says the same)
MAX_REASON = 2000  # why a document was rejected
MAX_MESSAGE = 2000  # a revision's message
MAX_SEARCH = 200  # a full-text search query
MAX_ROUTE_PATTERN = 200  # and a template name
MAX_ID = 200  # a reference or media id as stored in a field
MAX_USERNAME = 200
MAX_SECRET = 1024  # passwords and refresh tokens as sent
MAX_MEDIA_ALT = 1000
MAX_MEDIA_TITLE = 500
MAX_MEDIA_CAPTION = 2000
MAX_MEDIA_DESCRIPTION = 10_000
MAX_FILENAME = 1000
MAX_MIME_TYPE = 127
MAX_FIELDS_PER_TYPE = 100
# Fields with an index (marked ``indexed``, or ``unique``) per type. The indexes are shared by
# every space, and each one costs every write: see storage/field_indexes.py.
MAX_INDEXED_FIELDS_PER_TYPE = 10
# Distinct field names indexed in the whole database (a name's index serves every type and
# space using it); fields past it work unindexed. 32 names are 64 indexes: on PostgreSQL a
# statement locks every index of its table, and ~4,000 exhausted the default lock table.
MAX_INDEXED_FIELD_NAMES = 32
