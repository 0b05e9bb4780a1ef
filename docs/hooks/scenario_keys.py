"""mkdocs hook: the scenario key table, made from the schema (`dostyk schema`) when the site is built.

A page holding the marker `<!-- scenario-keys -->` gets, in its place, one row per key path with
its type and the description the schema gives, so the reference cannot fall behind the format.
"""

from __future__ import annotations

from typing import Any

MARKER = "<!-- scenario-keys -->"


def _resolve(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    return defs[ref.rsplit("/", 1)[1]] if isinstance(ref, str) else node


def _kind(node: dict[str, Any], defs: dict[str, Any]) -> str:
    """A short type: object name, list of …, map of …, or a JSON type."""
    if "$ref" in node:
        return str(node["$ref"].rsplit("/", 1)[1])
    for key in ("anyOf", "oneOf"):
        if key in node:
            kinds = [_kind(n, defs) for n in node[key] if n.get("type") != "null"]
            return " or ".join(dict.fromkeys(kinds)) or "null"
    t = node.get("type")
    if t == "array" and isinstance(node.get("items"), dict):
        return f"list of {_kind(node['items'], defs)}"
    if t == "object" and isinstance(node.get("additionalProperties"), dict):
        return f"map of {_kind(node['additionalProperties'], defs)}"
    if "enum" in node:
        return " or ".join(f"`{v}`" for v in node["enum"])
    return str(t or "any")


def _children(node: dict[str, Any], defs: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The object schemas one level down, with the path suffix that reaches them."""
    out: list[tuple[str, dict[str, Any]]] = []
    for key in ("anyOf", "oneOf"):
        for alt in node.get(key, []):
            out += _children(alt, defs)
    if "$ref" in node:
        out.append(("", _resolve(node, defs)))
    elif node.get("type") == "array" and isinstance(node.get("items"), dict):
        out += [("[]" + s, n) for s, n in _children(node["items"], defs)]
    elif node.get("type") == "object" and isinstance(node.get("additionalProperties"), dict):
        out += [(".NAME" + s, n) for s, n in _children(node["additionalProperties"], defs)]
    return out


def rows(schema: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(key path, type, description) for every key reachable from the top, each object once per path."""
    defs = schema.get("$defs", {})
    found: list[tuple[str, str, str]] = []
    done: set[str] = set()

    def walk(obj: dict[str, Any], prefix: str, seen: tuple[int, ...]) -> None:
        for name, prop in obj.get("properties", {}).items():
            path = f"{prefix}{name}"
            text = str(prop.get("description") or _resolve(prop, defs).get("description") or "").strip()
            if path not in done:
                done.add(path)
                found.append((path, _kind(prop, defs), " ".join(text.split())))
            for suffix, child in _children(prop, defs):
                # distributions ({dist: …}) are one concept, described in the prose above
                if "properties" in child and "dist" not in child["properties"] and id(child) not in seen:
                    walk(child, f"{path}{suffix}.", (*seen, id(child)))

    walk(schema, "", ())
    return found


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def table(schema: dict[str, Any]) -> str:
    lines = ["| key | type | what it is |", "|---|---|---|"]
    lines += [f"| `{_cell(p)}` | {_cell(k)} | {_cell(d)} |" for p, k, d in rows(schema)]
    return "\n".join(lines)


def on_page_markdown(markdown: str, **_: Any) -> str:
    if MARKER not in markdown:
        return markdown
    from sim.scenario.schema import Scenario

    return markdown.replace(MARKER, table(Scenario.model_json_schema(by_alias=True)))
