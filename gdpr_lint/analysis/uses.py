"""How a function uses its local names, read once per function when a judgement needs it.

Two uses contradict what a name seemed to be (rules/pii.toml [pii.confidence.uses]):
- compared or computed as a number: `if since_token < current:`, `token + 1`, `count == 0`,
  `pos -= 1`: a position, a count or an id, not a secret or a person's identifier;
- tested as a network destination: `address.is_global`, `addr.ipv4_mapped`,
  `is_ip_blocked(ip, blocklist)`, `ip in ipaddress.ip_network(...)`: the address a URL or a
  socket points to, checked by an outbound-request (SSRF) guard, not a person's IP.
"""

from __future__ import annotations

from typing import FrozenSet, NamedTuple, Set

from gdpr_lint.analysis.names import split_words


class Uses(NamedTuple):
    numbers: FrozenSet[str]  # names compared or computed as numbers
    network: FrozenSet[str]  # names tested as network destinations


class UseSpec(NamedTuple):
    network_attributes: FrozenSet[str]  # `is_global`, `is_private`, `ipv4_mapped`
    network_call_words: FrozenSet[str]  # words of a check's name: `blocked`, `blocklist`
    network_containers: FrozenSet[str]  # `ip_network`: `ip in ip_network(...)`
    network_categories: FrozenSet[str]  # what a network test contradicts (`ip_address`)

    @classmethod
    def from_tables(cls, spec: dict) -> "UseSpec":
        uses = spec.get("uses", {})
        return cls(
            frozenset(uses.get("network-attributes", ())),
            frozenset(uses.get("network-call-words", ())),
            frozenset(uses.get("network-containers", ())),
            frozenset(uses.get("network-categories", ())),
        )


def _names_in(node, out: Set[str]) -> None:
    import libcst as cst

    stack = [node]
    while stack:
        current = stack.pop()
        if type(current) is cst.Name:
            out.add(current.value)
        elif not isinstance(current, (cst.FunctionDef, cst.ClassDef)):
            stack.extend(current.children)


def function_uses(function, spec: UseSpec) -> Uses:
    """The uses of the names of `function`'s body (not of the functions nested in it)."""
    import libcst as cst

    from gdpr_lint.syntax.nodes import _last_name

    ordering = (cst.LessThan, cst.GreaterThan, cst.LessThanEqual, cst.GreaterThanEqual)
    arithmetic = (cst.Add, cst.Subtract, cst.Multiply, cst.Divide, cst.FloorDivide, cst.Power)
    arithmetic_aug = (
        cst.AddAssign,
        cst.SubtractAssign,
        cst.MultiplyAssign,
        cst.DivideAssign,
        cst.FloorDivideAssign,
        cst.PowerAssign,
    )
    number_literals = (cst.Integer, cst.Float)
    numbers: Set[str] = set()
    network: Set[str] = set()
    stack = list(function.children)
    while stack:
        node = stack.pop()
        t = type(node)
        if t is cst.FunctionDef or t is cst.ClassDef:
            continue
        if t is cst.Comparison:
            operands = [node.left] + [target.comparator for target in node.comparisons]
            names = [o.value for o in operands if type(o) is cst.Name]
            operators = [type(target.operator) for target in node.comparisons]
            if any(op in ordering for op in operators) or (
                any(op in (cst.Equal, cst.NotEqual) for op in operators)
                and any(type(o) in number_literals for o in operands)
            ):
                numbers.update(names)
            if any(op in (cst.In, cst.NotIn) for op in operators) and any(
                type(o) is cst.Call and _last_name(o.func) in spec.network_containers for o in operands[1:]
            ):
                if type(node.left) is cst.Name:
                    network.add(node.left.value)
        elif t is cst.BinaryOperation and type(node.operator) in arithmetic:
            for side, other in ((node.left, node.right), (node.right, node.left)):
                if type(side) is cst.Name and type(other) in number_literals:
                    numbers.add(side.value)
        elif t is cst.AugAssign and type(node.operator) in arithmetic_aug:
            if type(node.target) is cst.Name and type(node.value) in number_literals:
                numbers.add(node.target.value)
        elif t is cst.Attribute and node.attr.value in spec.network_attributes:
            if type(node.value) is cst.Name:
                network.add(node.value.value)
        elif t is cst.Call and spec.network_call_words.intersection(split_words(_last_name(node.func))):
            for arg in node.args:
                _names_in(arg.value, network)
        stack.extend(node.children)
    return Uses(frozenset(numbers), frozenset(network))
