"""Statements and branches of the production sources, read from solc's AST (pure functions).

Line items are statements (not blocks). Branches:
- `if`: the true arm (its body) and the false arm (its `else` body, or the implicit else when
  there is none: the condition was false and execution went past the body);
- `c ? a : b`: the true and the false expression;
- `try`: the success clause and each `catch` clause.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

STATEMENTS = frozenset({
    "ExpressionStatement", "VariableDeclarationStatement", "Return", "EmitStatement", "RevertStatement",
    "IfStatement", "ForStatement", "WhileStatement", "DoWhileStatement", "TryStatement", "InlineAssembly",
    "Break", "Continue",
})


@dataclass(frozen=True)
class Region:
    start: int
    length: int

    @classmethod
    def of(cls, node: dict[str, Any]) -> "Region":
        start, length, _file = (int(x) for x in node["src"].split(":"))
        return cls(start, length)

    def contains(self, other: "Region") -> bool:
        return other.start >= self.start and other.start + other.length <= self.start + self.length


@dataclass(frozen=True)
class Statement:
    path: str
    contract: str
    function: str
    line: int
    kind: str
    region: Region


@dataclass(frozen=True)
class Branch:
    """One arm of a decision. `region` is the arm's code; None for an implicit else, which is
    measured at the `if`'s conditional jump (`decision`, `condition`, `true_region`)."""

    path: str
    contract: str
    function: str
    line: int
    kind: str  # "if" | "ternary" | "try"
    arm: str  # "true" | "false" | "else (implicit)" | "success" | "catch" | "catch Error" ...
    region: Region | None
    decision: Region
    condition: Region | None = None
    true_region: Region | None = None


def line_of(text: bytes, offset: int) -> int:
    return text.count(b"\n", 0, offset) + 1


def _children(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        for value in node.values():
            if isinstance(value, dict) and "nodeType" in value:
                yield value
            elif isinstance(value, list):
                for v in value:
                    if isinstance(v, dict) and "nodeType" in v:
                        yield v


def _catch_label(clause: dict[str, Any]) -> str:
    name = clause.get("errorName") or ""
    return f"catch {name}".strip()


def extract(path: str, ast: dict[str, Any], text: bytes) -> tuple[list[Statement], list[Branch]]:
    """Every statement and branch arm of one source file, in source order."""
    statements: list[Statement] = []
    branches: list[Branch] = []

    def walk(node: dict[str, Any], contract: str, function: str) -> None:
        kind = node["nodeType"]
        if kind == "ContractDefinition":
            contract = node["name"]
        elif kind in ("FunctionDefinition", "ModifierDefinition"):
            function = node.get("name") or node.get("kind", "")
        region = Region.of(node)
        line = line_of(text, region.start)
        if kind in STATEMENTS:
            statements.append(Statement(path, contract, function, line, kind, region))
        if kind == "IfStatement":
            cond, true = Region.of(node["condition"]), Region.of(node["trueBody"])
            branches.append(Branch(path, contract, function, line, "if", "true", true, region))
            if node.get("falseBody"):
                branches.append(Branch(path, contract, function, line, "if", "false",
                                       Region.of(node["falseBody"]), region))
            else:
                branches.append(Branch(path, contract, function, line, "if", "else (implicit)", None,
                                       region, cond, true))
        elif kind == "Conditional":
            branches.append(Branch(path, contract, function, line, "ternary", "true",
                                   Region.of(node["trueExpression"]), region))
            branches.append(Branch(path, contract, function, line, "ternary", "false",
                                   Region.of(node["falseExpression"]), region))
        elif kind == "TryStatement":
            for i, clause in enumerate(node["clauses"]):
                arm = "success" if i == 0 else _catch_label(clause)
                branches.append(Branch(path, contract, function, line_of(text, Region.of(clause).start),
                                       "try", arm, Region.of(clause), region))
        for child in _children(node):
            walk(child, contract, function)

    walk(ast, "", "")
    statements.sort(key=lambda s: s.region.start)
    branches.sort(key=lambda b: (b.decision.start, b.region is None, b.region.start if b.region else 0))
    return statements, branches
