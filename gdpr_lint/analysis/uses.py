"""How a function uses its local names, read once per function when a judgement needs it.

Two uses contradict what a name seemed to be (rules/pii.toml [pii.confidence.uses]):
- compared or computed as a number: `if since_token < current:`, `token + 1`, `count == 0`,
  `pos -= 1`: a position, a count or an id, not a secret or a person's identifier;
- tested as a network destination: `address.is_global`, `addr.ipv4_mapped`,
  `is_ip_blocked(ip, blocklist)`, `ip in ipaddress.ip_network(...)`: the address a URL or a
  socket points to, checked by an outbound-request (SSRF) guard, not a person's IP; so is what
  a DNS resolution gave, and what is made of it (`for info in socket.getaddrinfo(host, None):
  ip = ipaddress.ip_address(info[4][0])`): the addresses of a host name, a server's.

Another says a name holds an object, not a text: the function reads, sets or calls attributes of
it that no text, bytes, number or container has (`token.expires_at`, `orm_token.user`,
`token.get_multi_otp(...)`). Formatted whole, such an object shows what its class's repr shows
(an ORM row's id or a token's public prefix), not the secret its name speaks of, unless an
attribute read from it is the secret (`token.access_token`: a container of it); the caller
(analysis/taint_judge.py) judges those attributes' names.

One use says what a name holds, whatever it is called: passed as the recipients of a call
that sends mail (`smtp.sendmail(e_from, e_to, msg)`, Django's `send_mail(..., [addr])`), it
holds e-mail addresses ([pii.confidence.uses] recipient-*).
"""

from __future__ import annotations

from typing import Callable, Dict, FrozenSet, NamedTuple, Optional, Set, Tuple

from gdpr_lint.analysis.names import split_words


class Uses(NamedTuple):
    numbers: FrozenSet[str]  # names compared or computed as numbers
    network: FrozenSet[str]  # names tested as network destinations
    # name -> the attributes the function reads, sets or calls on it, each (attribute, called),
    # but those of text, bytes, numbers and containers (`token.strip()`, `data.get(...)`)
    attributes: Dict[str, FrozenSet[Tuple[str, bool]]] = {}
    # names passed as the key a secret store reads by (`vault.read_secret(refresh_token_key)`)
    secret_keys: FrozenSet[str] = frozenset()
    signed: FrozenSet[str] = frozenset()  # names whose signatures are read (`key["signatures"]`)


class UseSpec(NamedTuple):
    network_attributes: FrozenSet[str]  # `is_global`, `is_private`, `ipv4_mapped`
    network_call_words: FrozenSet[str]  # words of a check's name: `blocked`, `blocklist`
    network_containers: FrozenSet[str]  # `ip_network`: `ip in ip_network(...)`
    network_categories: FrozenSet[str]  # what a network test contradicts (`ip_address`)
    recipient_category: Optional[str]  # what a mail call's recipients are (`email`)
    recipient_methods: Dict[str, Tuple]  # method name -> (position, keywords...) of its recipients
    recipient_functions: Dict[str, Tuple]  # resolved target -> (position, keywords...)
    recipient_tokens: Tuple[str, ...]  # text one of those calls needs: a file without any has none
    network_resolvers: FrozenSet[str] = frozenset()  # `getaddrinfo`: a host name's addresses
    secret_stores: FrozenSet[str] = frozenset()  # words of a secret store's read: `vault`, `secret`
    reader_verbs: FrozenSet[str] = frozenset()  # the first word of a read's name: `get`, `read`
    signed_keys: FrozenSet[str] = frozenset()  # `signatures`: what a signed document holds

    @classmethod
    def from_tables(cls, spec: dict) -> "UseSpec":
        uses = spec.get("uses", {})
        return cls(
            frozenset(uses.get("network-attributes", ())),
            frozenset(uses.get("network-call-words", ())),
            frozenset(uses.get("network-containers", ())),
            frozenset(uses.get("network-categories", ())),
            uses.get("recipient-category"),
            {name: tuple(where) for name, where in uses.get("recipient-methods", {}).items()},
            {name: tuple(where) for name, where in uses.get("recipient-functions", {}).items()},
            tuple(uses.get("recipient-tokens", ())),
            frozenset(uses.get("network-resolvers", ())),
            frozenset(uses.get("secret-store-words", ())),
            frozenset(uses.get("secret-reader-verbs", ())),
            frozenset(uses.get("signed-keys", ())),
        )


def _names_in(node, out: Set[str]) -> None:
    import libcst as cst

    from gdpr_lint.syntax.nodes import child_nodes

    stack = [node]
    while stack:
        current = stack.pop()
        if type(current) is cst.Name:
            out.add(current.value)
        elif not isinstance(current, (cst.FunctionDef, cst.ClassDef)):
            stack.extend(child_nodes(current))


def function_uses(function, spec: UseSpec) -> Uses:
    """The uses of the names of `function`'s body (not of the functions nested in it)."""
    import libcst as cst

    from gdpr_lint.syntax.nodes import _last_name, child_nodes

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
    secret_keys: Set[str] = set()
    bound: list = []  # (names, value) of assignments and loops, for what a resolution gave
    attributes: Dict[str, Set[Tuple[str, bool]]] = {}
    signed: Set[str] = set()
    called: Set[int] = set()  # ids of the Attribute nodes that are a call's function
    stack = child_nodes(function)  # the nodes' code fields: libcst's `children` rebuilds each child
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
        elif t is cst.Attribute and type(node.value) is cst.Name and node.attr.value not in _PLAIN_VALUE_ATTRIBUTES:
            attributes.setdefault(node.value.value, set()).add((node.attr.value, id(node) in called))
        elif t is cst.Call and spec.network_call_words.intersection(split_words(_last_name(node.func))):
            for arg in node.args:
                _names_in(arg.value, network)
        elif spec.network_resolvers and (t is cst.Assign or t is cst.For):
            targets: Set[str] = set()
            for target in [node.target] if t is cst.For else [target.target for target in node.targets]:
                _names_in(target, targets)
            bound.append((targets, node.iter if t is cst.For else node.value))
        if spec.signed_keys and (t is cst.Subscript or t is cst.Call):
            read = _key_read(node)
            if read is not None and read[1] in spec.signed_keys:
                signed.add(read[0])
        if t is cst.Call and type(node.func) is cst.Attribute:
            called.add(id(node.func))
        if t is cst.Call and spec.secret_stores and node.args and type(node.args[0].value) is cst.Name:
            if node.args[0].keyword is None and not node.args[0].star and _reads_secret(node.func, spec):
                secret_keys.add(node.args[0].value.value)
        stack.extend(child_nodes(node))
    if bound:
        network.update(_resolved(bound, spec.network_resolvers))
    return Uses(
        frozenset(numbers),
        frozenset(network),
        {name: frozenset(seen) for name, seen in attributes.items()},
        frozenset(secret_keys),
        frozenset(signed),
    )


def _reads_secret(func, spec: UseSpec) -> bool:
    """`vault.read_secret(...)`, `user_vault.get(...)`: a read (its name starts with a reader
    verb) of a secret store (its name or its receiver's has a store word)."""
    import libcst as cst

    from gdpr_lint.syntax.nodes import _last_name

    words = split_words(_last_name(func))
    if not words or words[0] not in spec.reader_verbs:
        return False
    receiver = split_words(_last_name(func.value)) if type(func) is cst.Attribute else ()
    return not spec.secret_stores.isdisjoint(words[1:] + receiver)


def _key_read(node) -> Optional[Tuple[str, str]]:
    """(name, key) of `name["key"]` or `name.get("key", ...)`, else None."""
    import libcst as cst

    from gdpr_lint.syntax.nodes import string_value

    if type(node) is cst.Subscript:
        if type(node.value) is not cst.Name or len(node.slice) != 1:
            return None
        index = node.slice[0].slice
        key = string_value(index.value) if type(index) is cst.Index else None
        return (node.value.value, key) if key is not None else None
    func = node.func
    if type(func) is not cst.Attribute or func.attr.value != "get" or type(func.value) is not cst.Name:
        return None
    if not node.args or node.args[0].keyword is not None:
        return None
    key = string_value(node.args[0].value)
    return (func.value.value, key) if key is not None else None


# what a text, bytes, a number or a container has: using one of these says nothing of an object
_PLAIN_VALUE_ATTRIBUTES = frozenset(
    name for kind in (str, bytes, bytearray, int, float, dict, list, set, tuple, memoryview) for name in dir(kind)
)


def function_recipients(
    function, spec: UseSpec, resolve: Callable, callees: Optional[Callable] = None
) -> Dict[str, str]:
    """The names `function`'s body (not the functions nested in it) passes as the recipients
    of a call that sends mail, each with that call's name: `e_to` of `smtp.sendmail(e_from,
    e_to, msg)`, `addr` of `send_mail(subject, body, sender, [addr])`; with `callees` (a
    module's top-level function by name), also what it passes one call deep to such a function
    that passes that parameter on as the recipients (`_build_email(subject, body, sender, to)`,
    which builds `EmailMultiAlternatives(..., to=to)`)."""
    import libcst as cst

    from gdpr_lint.syntax.nodes import child_nodes

    out: Dict[str, str] = {}
    stack = child_nodes(function)
    while stack:
        node = stack.pop()
        t = type(node)
        if t is cst.FunctionDef or t is cst.ClassDef:
            continue
        stack.extend(child_nodes(node))
        if t is not cst.Call:
            continue
        func = node.func
        where = None
        if type(func) is cst.Attribute:
            where = spec.recipient_methods.get(func.attr.value)
        if where is None:
            target = resolve(func)
            where = spec.recipient_functions.get(target) if target else None
        if not where:
            if callees is not None and type(func) is cst.Name:
                _passed_recipients(node, callees(func.value), function, spec, resolve, out)
            continue
        position, keywords = where[0], where[1:]
        positional = [arg for arg in node.args if arg.keyword is None and not arg.star]
        values = [arg.value for arg in node.args if arg.keyword is not None and arg.keyword.value in keywords]
        if len(positional) > position:
            values.append(positional[position].value)
        called = func.attr.value if type(func) is cst.Attribute else (resolve(func) or "")
        for value in values:
            items = [e.value for e in value.elements] if type(value) in (cst.List, cst.Tuple) else [value]
            for item in items:
                if type(item) is cst.Name:
                    out.setdefault(item.value, called.rsplit(".", 1)[-1])
    return out


def _passed_recipients(call, callee, function, spec: UseSpec, resolve: Callable, out: Dict[str, str]) -> None:
    """The names `call` passes to parameters that `callee` (a function of the module, or None)
    passes on as the recipients of a call that sends mail."""
    import libcst as cst

    if callee is None or callee is function:
        return
    inner = function_recipients(callee, spec, resolve)
    if not inner:
        return
    params = [p.name.value for p in (*callee.params.posonly_params, *callee.params.params)]
    for index, arg in enumerate(call.args):
        if arg.star:
            break
        param = arg.keyword.value if arg.keyword is not None else (params[index] if index < len(params) else None)
        if param not in inner:
            continue
        value = arg.value
        items = [e.value for e in value.elements] if type(value) in (cst.List, cst.Tuple) else [value]
        for item in items:
            if type(item) is cst.Name:
                out.setdefault(item.value, callee.name.value)


def _resolved(bound: list, resolvers: FrozenSet[str]) -> Set[str]:
    """The names bound to what a DNS resolution call gave (`infos = socket.getaddrinfo(...)`,
    `for info in socket.getaddrinfo(...)`) or to a value made of one of them."""
    import libcst as cst

    from gdpr_lint.syntax.nodes import _last_name

    resolved: Set[str] = set()
    for _ in range(4):  # a few steps of `info -> ip -> address`, in any order
        grown = False
        for targets, value in bound:
            if targets <= resolved:
                continue
            call = value.expression if type(value) is cst.Await else value
            used: Set[str] = set()
            _names_in(value, used)
            if (type(call) is cst.Call and _last_name(call.func) in resolvers) or used & resolved:
                resolved |= targets
                grown = True
        if not grown:
            break
    return resolved
