"""The OpenAPI document (``/openapi.json``): FastAPI's, plus what the middleware enforces on
every route, which no route's own declarations can say. Shared by every dialect, none
imported here; it describes and never changes what a route does.

- Text may not contain NUL (``NulGuardMiddleware``): in the path, in query parameters, and in
  JSON bodies, keys included, except on routes that check their own text
  (``api/body_rules.py``). Declared as ``TEXT_PATTERN`` on every such string that has no
  pattern of its own (ours exclude NUL already), and on object keys (``propertyNames``).
- JSON bodies hold only values that can be stored (``core/storable.py``): integers within
  64 bits on every route; on the routes the NUL rule covers, any free-form value (any JSON,
  the unknown keys an object ignores or keeps included) is ``StorableValue``.
- A parameter is absent or a value, never JSON ``null``: FastAPI writes an optional one as
  ``anyOf: [<value>, null]``, which clients and schemathesis read as "may be the text null".
- ``Authorization: Bearer <token>`` (``api/context.py`` reads it as a header) is the
  security scheme ``bearer``, optional where the route also serves anonymous readers, rather
  than a header parameter: clients generated from the document then send it as a credential.

A component reached from the body of a route that checks its own text gets no NUL rule, even
where a guarded route shares it: the document may say less than the server checks, never more.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from masthead.api.body_rules import BodyRules, rules_for
from masthead.core.storable import MAX_INTEGER, MIN_INTEGER

TEXT_PATTERN = r"^[^\x00]*$"
"""Text without NUL, which PostgreSQL cannot store (the NUL guard refuses it everywhere)."""

BEARER = "bearer"
_BEARER_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "An access token (POST /v1/auth/token) or an API token",
}

STORABLE_VALUE = "StorableValue"
_REF = f"#/components/schemas/{STORABLE_VALUE}"
_STORABLE_VALUE_SCHEMA: dict[str, Any] = {
    "description": "Any JSON value that can be stored: text without NUL, integers within 64 bits",
    "anyOf": [
        {"type": "string", "pattern": TEXT_PATTERN},
        {"type": "integer", "minimum": MIN_INTEGER, "maximum": MAX_INTEGER},
        {"type": "number"},
        {"type": "boolean"},
        {"type": "null"},
        {"type": "array", "items": {"$ref": _REF}},
        {
            "type": "object",
            "propertyNames": {"pattern": TEXT_PATTERN},
            "additionalProperties": {"$ref": _REF},
        },
    ],
}

PROBLEM_RESPONSE: dict[str, Any] = {
    "description": "RFC 9457 problem details (paths outside every API)",
    "content": {
        "application/problem+json": {
            "schema": {
                "type": "object",
                "required": ["type", "title", "status", "detail"],
                "properties": {
                    "type": {"type": "string"},
                    "title": {"type": "string"},
                    "status": {"type": "integer"},
                    "detail": {"type": "string"},
                    "errors": {"type": "array", "items": {"type": "object"}},
                    "retryAfter": {"type": "integer"},
                },
            }
        }
    },
}
"""An error answered by ``api/errors.render_problem``, for the ``responses`` of such routes."""

_RULES_DESCRIPTION = (
    "Rules of every API: text may not contain NUL (U+0000), in paths, query parameters and "
    "JSON bodies (422); JSON bodies may hold only finite numbers, integers within 64 bits and "
    "valid Unicode text (422). The schemas below state both where they apply."
)

_TEXT_KEYWORDS = ("pattern", "enum", "const", "format", "contentEncoding")
_ANNOTATIONS = frozenset({"title", "description", "default", "examples", "deprecated"})


def install(app: FastAPI) -> None:
    """Serve FastAPI's document with the rules above stated in it (built once, on first use)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            describe_rules(build(), app.routes)
        return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]


def describe_rules(document: dict[str, Any], routes: list[Any]) -> None:
    """State the middleware's rules in ``document`` (in place)."""
    info = document.setdefault("info", {})
    info["description"] = "\n\n".join(filter(None, [info.get("description"), _RULES_DESCRIPTION]))
    document.setdefault("components", {}).setdefault("securitySchemes", {})[BEARER] = _BEARER_SCHEME
    components = document["components"].setdefault("schemas", {})
    components[STORABLE_VALUE] = _STORABLE_VALUE_SCHEMA
    walker = _Walker(components)
    parameters: list[dict[str, Any]] = []
    guarded: list[dict[str, Any]] = []
    for operation, rules in _operations(document, routes):
        _bearer_as_security(operation)
        for parameter in operation.get("parameters", []):
            if "schema" in parameter:
                parameter["schema"] = _without_null(parameter["schema"])
        parameters += [
            p["schema"]
            for p in operation.get("parameters", [])
            if p.get("in") in {"path", "query"} and "schema" in p
        ]
        body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
        if "schema" not in body:
            continue
        if rules.checks_own_text:
            walker.unguarded(body["schema"])  # first: what it reaches gets no NUL rule
        else:
            guarded.append(body["schema"])
    for schema in parameters:
        walker.walk(schema, text=True, numbers=False)
    for schema in guarded:
        walker.walk(schema, text=True, numbers=True)


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """``anyOf: [X, {type: null}]`` as X (keeping the annotations around it)."""
    choices = schema.get("anyOf")
    if not isinstance(choices, list):
        return schema
    values = [c for c in choices if c != {"type": "null"}]
    if len(values) != 1 or len(values) == len(choices):
        return schema
    return {**{k: v for k, v in schema.items() if k != "anyOf"}, **values[0]}


def _bearer_as_security(operation: dict[str, Any]) -> None:
    declared = operation.get("parameters", [])
    kept = [p for p in declared if not _is_authorization(p)]
    if len(kept) == len(declared):
        return
    operation["parameters"] = kept
    # Optional ({}): whether an anonymous caller is served depends on the route and the space
    # (published reads may be public); where not, the answer is the documented 401.
    operation["security"] = [{BEARER: []}, {}]


def _is_authorization(parameter: dict[str, Any]) -> bool:
    return parameter.get("in") == "header" and parameter.get("name", "").lower() == "authorization"


def _operations(
    document: dict[str, Any], routes: list[Any]
) -> Iterator[tuple[dict[str, Any], BodyRules]]:
    paths = document.get("paths", {})
    for context in iter_route_contexts(routes):  # as FastAPI's get_openapi finds them
        route = context.original_route
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        rules = rules_for({"endpoint": route.endpoint})
        for method in route.methods or ():
            operation = paths.get(context.path_format, {}).get(method.lower())
            if operation is not None:
                yield operation, rules


class _Walker:
    """Adds the rules to schemas, following ``$ref`` into components once per rule set."""

    def __init__(self, components: dict[str, Any]):
        self.components = components
        self.done: set[tuple[str, bool, bool]] = set()
        self.no_text: set[str] = set()  # reached from a body that checks its own text

    def unguarded(self, schema: dict[str, Any]) -> None:
        """A body that checks its own text: integers only; its components keep no NUL rule."""
        self._collect_refs(schema, self.no_text)
        self.walk(schema, text=False, numbers=True)

    def _collect_refs(self, node: Any, into: set[str]) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[-1]
                if name not in into:
                    into.add(name)
                    self._collect_refs(self.components.get(name), into)
            for value in node.values():
                self._collect_refs(value, into)
        elif isinstance(node, list):
            for value in node:
                self._collect_refs(value, into)

    def walk(self, node: dict[str, Any], *, text: bool, numbers: bool) -> None:
        def again(child: dict[str, Any]) -> None:
            self.walk(child, text=text, numbers=numbers)

        ref = node.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            text = text and name not in self.no_text
            if name in self.components and (name, text, numbers) not in self.done:
                self.done.add((name, text, numbers))
                again(self.components[name])
            return
        for keyword in ("anyOf", "oneOf", "allOf"):
            for choice in node.get(keyword, []):
                again(choice)
        kind = node.get("type")
        if kind is None and set(node) <= _ANNOTATIONS:  # any JSON value
            if text:
                node["$ref"] = _REF
            return
        if kind == "string" and text and not any(k in node for k in _TEXT_KEYWORDS):
            node["pattern"] = TEXT_PATTERN
        elif kind == "integer" and numbers:
            node.setdefault("minimum", MIN_INTEGER)
            node.setdefault("maximum", MAX_INTEGER)
        elif kind == "array":
            _each(node, "items", again, text)
            for item in node.get("prefixItems", []):
                again(item)
        elif kind == "object":
            for value in node.get("properties", {}).values():
                again(value)
            if text:
                node.setdefault("propertyNames", {"pattern": TEXT_PATTERN})
            _each(node, "additionalProperties", again, text)


def _each(
    node: dict[str, Any], keyword: str, walk: Callable[[dict[str, Any]], None], text: bool
) -> None:
    """The schema under ``keyword`` (items, additionalProperties): walked, or, when it allows
    any value (absent or true) and text is checked, any storable value."""
    value = node.get(keyword, True)
    if isinstance(value, dict):
        walk(value)
    elif value is True and text:
        node[keyword] = {"$ref": _REF}
