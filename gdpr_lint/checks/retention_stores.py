"""Writes of personal data to stores, for the inventory: `stored` observations.

A mixin of RetentionCheck (the stores a reviewer lists are what retention is about: each
one with personal data and no lifetime is kept until something deletes it). What counts as
a write, where its data and its store's name are, and how long each kind of store keeps
what it is given live in rules/stores.toml; this module reads the call in the one walk.
No rule reports a write: it is a fact for the record of processing.
"""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Set

from gdpr_lint._lazy import cst
from gdpr_lint.analysis.names import last_name

from gdpr_lint.checks.base import argument

# what a statement writes, and to which table: INSERT/REPLACE INTO t (cols), UPDATE t SET, MERGE INTO t
_SQL_WRITE = re.compile(
    r"^\s*(?:(?:insert|replace)(?:\s+or\s+\w+)?\s+into|merge\s+into|update)\s+([\w.\"`\[\]]+)"
    r"(?:\s*\(([^)]*)\))?(?:\s+set\s+(.*?)(?:\s+where\s|\s+returning\s|$))?",
    re.IGNORECASE | re.DOTALL,
)
_SET_COLUMN = re.compile(r"([\w\"`\[\]]+)\s*=")
_SELF_NAMES = ("self", "cls")


class StoresMixin:
    """Writes of personal data to stores; the observations carry the rule code they are given."""

    def _init_stores(self, tables: dict) -> None:
        stores = tables.get("stores", {})
        self.store_kinds: Dict[str, str] = dict(stores.get("kinds", {}))
        self.store_targets: Dict[str, List[dict]] = {}
        self.store_methods: Dict[str, List[dict]] = {}
        for entry in stores.get("writes", ()):
            for target in entry.get("targets", ()):
                self.store_targets.setdefault(target, []).append(entry)
            for method in entry.get("methods", ()):
                self.store_methods.setdefault(method, []).append(entry)

    # --- hooks (called by RetentionCheck) ------------------------------------------------

    def _observe_writes(self, ctx, call, target: Optional[str], rule: str) -> None:
        entries = self.store_targets.get(target, ()) if target else ()
        func = call.func
        if not entries and type(func) is cst.Attribute:
            entries = [
                e for e in self.store_methods.get(func.attr.value, ()) if self._receiver_fits(ctx, call, func.value, e)
            ]
        for entry in entries:
            if entry.get("saves-attributes"):
                self._observe_saved_object(ctx, call, func.value, entry, rule)
            else:
                self._observe_write(ctx, call, entry, rule)
            return

    def _note_attribute(self, ctx, target, value) -> None:
        """`obj.email = x`: what a later `obj.save()` in the same function writes."""
        if type(target) is not cst.Attribute or type(target.value) is not cst.Name:
            return
        if not any(e.get("saves-attributes") for entries in self.store_methods.values() for e in entries):
            return
        assigned = ctx.file_state(_Assigned, _Assigned)
        key = (id(ctx.scope.node), target.value.value)
        assigned.by_object.setdefault(key, []).append((target.attr.value, value))

    # --- deciding ------------------------------------------------------------------------

    def _receiver_fits(self, ctx, call, receiver, entry: dict) -> bool:
        if ctx.is_module(receiver):
            return False
        attribute = entry.get("receiver-attribute")
        if attribute is not None and attribute not in _chain_attributes(receiver):
            return False
        names = entry.get("receiver-names")
        if names is not None and last_name(receiver) not in names:
            return False
        if entry.get("first-argument-sql") and _sql_write(ctx, call) is None:
            return False
        if entry.get("name", {}).get("receiver") and last_name(receiver) in _SELF_NAMES + ("",):
            return False  # `self.delay(...)`: a class's own method, no task
        return True

    def _observe_write(self, ctx, call, entry: dict, rule: str) -> None:
        name_arg = _name_argument(call, entry)
        model = self._store_name(ctx, call, entry)
        nodes = _data_arguments(call, entry, name_arg)
        categories: Set[str] = set()
        fields = bool(entry.get("fields"))
        for keyword, node in nodes:
            categories.update(self._written(ctx, keyword if fields else None, node, model, fields))
        sql = _sql_write(ctx, call) if entry.get("name", {}).get("sql") else None
        if sql is not None and len(call.args) > 1:
            # the columns a statement writes name what its parameters hold
            for column in sql[1]:
                category = self._field_category(ctx, column, sql[0])
                if category is not None:
                    categories.add(category)
        if not categories:
            return
        self._observe_stored(ctx, call, entry, model, categories, rule, self._expiry(ctx, call, entry))

    def _observe_saved_object(self, ctx, call, receiver, entry: dict, rule: str) -> None:
        if type(receiver) is not cst.Name:
            return
        assigned = ctx.file_state(_Assigned, _Assigned)
        pairs = assigned.by_object.get((id(ctx.scope.node), receiver.value), ())
        if not pairs:
            return
        model = _model_of_object(ctx, receiver)
        categories: Set[str] = set()
        for attribute, value in pairs:
            categories.update(self._written(ctx, attribute, value, model, True))
        if categories:
            self._observe_stored(ctx, call, entry, model, categories, rule, self.store_kinds.get(entry["store"], ""))

    def _observe_stored(self, ctx, call, entry: dict, name: str, categories, rule: str, expiry: str) -> None:
        via = entry["via"]
        if entry.get("via-by-import"):
            imported = ctx.file_state(_Assigned, _Assigned).imported(ctx.module)
            via = next((v for m, v in sorted(entry["via-by-import"].items()) if m in imported), via)
        ctx.observe(
            "stored",
            call,
            rule=rule,
            categories=sorted(categories),
            store=entry["store"],
            via=via,
            label=entry.get("label", ""),
            name=name,
            api=entry["api"],
            expiry=expiry,
        )

    def _expiry(self, ctx, call, entry: dict) -> str:
        """How long the store keeps this write when the code says nothing else ("no expiry",
        "until consumed"); "" when the write gives itself a lifetime."""
        return "" if _gives_itself_a_lifetime(ctx, call, entry) else self.store_kinds.get(entry["store"], "")

    # --- what is written -----------------------------------------------------------------

    def _written(self, ctx, keyword: Optional[str], node, model: str, fields: bool, depth: int = 0) -> Set[str]:
        """The categories a written value holds: its own data, what the field it goes to
        names (`email=x`), and the fields of an object built there (`User(email=e)`)."""
        found: Set[str] = set()
        if _written_in_the_code(ctx, node):
            return found  # `contact_email="demo@example.org"`, `make_password("demo")`: a demo's
        if keyword is not None and fields:
            if self._is_person_object(ctx, node):
                return found  # `recipient=user`: a link to the person's own row, listed with its model
            taint = ctx.keyed_taint(keyword, node)
            found.update(taint.categories)
            if not taint:
                category = self._field_category(ctx, keyword, model)
                if category is not None:
                    found.add(category)
        else:
            found.update(ctx.taint(node).categories)
        if not fields or depth > 1:
            return found
        built = node
        if type(node) is cst.Name:
            definition = ctx.definition(node)
            built = getattr(definition, "value", None)
        if type(built) is cst.Call and _class_name(built.func):
            owner = _class_name(built.func)
            for arg in built.args:
                if arg.keyword is not None:
                    found.update(self._written(ctx, arg.keyword.value, arg.value, owner, True, depth + 1))
        elif type(built) in (cst.List, cst.Tuple, cst.Set):
            for element in built.elements:
                found.update(self._written(ctx, None, element.value, model, True, depth + 1))
        elif type(built) is cst.Dict and keyword == "defaults":  # get_or_create(defaults={...})
            for element in built.elements:
                key = ctx.constant(element.key) if type(element) is cst.DictElement else None
                if key is not None and isinstance(key.value, str):
                    found.update(self._written(ctx, key.value, element.value, model, True, depth + 1))
        return found

    def _field_category(self, ctx, field: str, model: str) -> Optional[str]:
        vocab = getattr(ctx, "vocab", None)
        if vocab is None:
            return None
        field = field.strip('"`[]')
        return vocab.classify(field, key=True) or (
            vocab.classify(field, context=model) if model and _names_a_person(vocab, model) else None
        )

    @staticmethod
    def _is_person_object(ctx, node) -> bool:
        """`user`, `self.customer`, `order.owner`: an object named for a person, whose data its
        own model holds; the field that points to it stores a reference."""
        vocab = getattr(ctx, "vocab", None)
        name = last_name(node) if type(node) in (cst.Name, cst.Attribute) else ""
        return vocab is not None and bool(name) and _names_a_person(vocab, name)

    # --- names ---------------------------------------------------------------------------

    def _store_name(self, ctx, call, entry: dict) -> str:
        spec = entry.get("name") or {}
        receiver = call.func.value if type(call.func) is cst.Attribute else None
        if spec.get("model"):
            if entry.get("receiver-attribute") and receiver is not None:
                return _before_attribute(receiver, entry["receiver-attribute"])
            for arg in call.args:  # session.add(User(...)) / session.add(user)
                return _model_of_object(ctx, arg.value)
            return ""
        if spec.get("receiver") and receiver is not None:
            return last_name(receiver)
        if spec.get("sql"):
            found = _sql_write(ctx, call)
            return found[0] if found else ""
        if "position" in spec or "keyword" in spec:
            value = _constant_text(ctx, argument(call, spec.get("position"), spec.get("keyword")))
            if value:
                return value
        for made in spec.get("made-by", ()):
            for link in _receiver_calls(ctx, receiver):
                if (
                    type(link.func) is cst.Attribute
                    and link.func.attr.value == made["call"]
                    or (type(link.func) is cst.Name and link.func.value == made["call"])
                ):
                    value = _constant_text(ctx, argument(link, made.get("position"), made.get("keyword")))
                    if value:
                        return value
        return ""


class _Assigned:
    """Per file: (function node id, object name) -> [(attribute, value)] assigned so far;
    the top-level modules the file imports, when first asked."""

    def __init__(self) -> None:
        self.by_object: Dict[tuple, list] = {}
        self._imported: Optional[Set[str]] = None

    def imported(self, module) -> Set[str]:
        if self._imported is None:
            from gdpr_lint.syntax.nodes import dotted_name

            found: Set[str] = set()
            for stmt in module.body:
                for small in stmt.body if type(stmt) is cst.SimpleStatementLine else ():
                    if type(small) is cst.Import:
                        found.update((dotted_name(a.name) or "").split(".")[0] for a in small.names)
                    elif type(small) is cst.ImportFrom and small.module is not None and not small.relative:
                        found.add((dotted_name(small.module) or "").split(".")[0])
            self._imported = found
        return self._imported


def _chain_attributes(node) -> List[str]:
    """`Customer.objects.filter(x=1)` -> ["filter", "objects"]: the attributes along a receiver."""
    out = []
    while True:
        if type(node) is cst.Call:
            node = node.func
        elif type(node) is cst.Attribute:
            out.append(node.attr.value)
            node = node.value
        else:
            return out


def _before_attribute(node, attribute: str) -> str:
    """The class before `.objects` in `Customer.objects.filter(...)`; "" when it is no class
    name (`self.model.objects`, `qs`)."""
    while True:
        if type(node) is cst.Call:
            node = node.func
        elif type(node) is cst.Attribute:
            if node.attr.value == attribute:
                name = last_name(node.value)
                return name if name[:1].isupper() else ""
            node = node.value
        else:
            return ""


def _class_name(func) -> str:
    """`User` in `User(...)`, `models.User(...)`: a call of a class (by the naming convention)."""
    name = last_name(func)
    return name if name[:1].isupper() and not name.isupper() else ""


def _model_of_object(ctx, node) -> str:
    """The class of the object written: `User(...)`, a name bound to `User(...)` or to
    `Customer.objects.get(...)`, or the class a method of which saves `self`."""
    if type(node) is cst.Name and node.value in _SELF_NAMES:
        scope = ctx.scope
        while scope is not None and scope.kind != "class":
            scope = scope.parent
        return scope.name if scope is not None else ""
    value = node
    if type(node) is cst.Name:
        definition = ctx.definition(node)
        value = getattr(definition, "value", None)
    if type(value) is cst.Call:
        name = _class_name(value.func)
        if name:
            return name
        # `Customer.objects.get(...)`, `User.query.filter_by(...).first()`, `User.get_by_id(1)`
        root = value.func
        while type(root) in (cst.Attribute, cst.Call):
            root = root.value if type(root) is cst.Attribute else root.func
        return _class_name(root) if type(root) is cst.Name else ""
    return ""


def _receiver_calls(ctx, node, depth: int = 0):
    """The calls along a receiver, through names bound once: `client.bucket("b").blob(k)`,
    or `blob` after `blob = bucket.blob(k)` and `bucket = client.bucket("b")`."""
    while node is not None and depth < 6:
        depth += 1
        if type(node) is cst.Call:
            yield node
            node = node.func
        elif type(node) is cst.Attribute:
            node = node.value
        elif type(node) is cst.Name:
            definition = ctx.definition(node)
            node = getattr(definition, "value", None)
        else:
            return


def _constant_text(ctx, node) -> str:
    """A store's name from a constant: a URL or a path keeps its last part
    (`.../123/signups` -> `signups`, `projects/p/topics/signups` -> `signups`)."""
    if node is None:
        return ""
    folded = ctx.constant(node)
    if folded is None or not isinstance(folded.value, str):
        return ""
    return folded.value.rstrip("/").rsplit("/", 1)[-1]


def _name_argument(call, entry: dict):
    spec = entry.get("name") or {}
    if "position" in spec or "keyword" in spec:
        return argument(call, spec.get("position"), spec.get("keyword"))
    return None


def _data_arguments(call, entry: dict, name_arg) -> List[tuple]:
    """(keyword or None, value) of the arguments that are written."""
    if entry.get("all-arguments"):
        skip_sql = entry.get("first-argument-sql")
        out = []
        for index, arg in enumerate(call.args):
            if arg.value is name_arg or (skip_sql and index == 0):
                continue
            out.append((arg.keyword.value if arg.keyword is not None else None, arg.value))
        return out
    out = []
    for spec in entry.get("data", ()):
        value = argument(call, spec.get("position"), spec.get("keyword"))
        if value is not None:
            out.append((spec.get("keyword"), value))
    return out


def _sql_text(ctx, node) -> Optional[str]:
    """The statement's text: a constant, `text("...")`, or an f-string's literal parts."""
    if node is None:
        return None
    if type(node) is cst.Call and node.args and last_name(node.func) == "text":
        node = node.args[0].value
    folded = ctx.constant(node)
    if folded is not None and isinstance(folded.value, str):
        return folded.value
    if type(node) is cst.FormattedString:
        return "".join(p.value if type(p) is cst.FormattedStringText else " ? " for p in node.parts)
    return None


def _sql_write(ctx, call):
    """(table, [columns]) of a statement that writes (INSERT, UPDATE, REPLACE, MERGE), else None."""
    first = call.args[0].value if call.args and call.args[0].keyword is None else None
    text = _sql_text(ctx, first)
    if not text:
        return None
    match = _SQL_WRITE.match(text)
    if match is None:
        return None
    table = match.group(1).strip('"`[]').rsplit(".", 1)[-1]
    columns = [c.strip() for c in (match.group(2) or "").split(",") if c.strip()]
    columns += _SET_COLUMN.findall(match.group(3) or "")
    return table, columns


def _gives_itself_a_lifetime(ctx, call, entry: dict) -> bool:
    """A write that carries its own expiry (a DynamoDB item's TTL attribute)."""
    spec = entry.get("expires-with")
    if not spec:
        return False
    value = argument(call, None, spec["keyword"])
    keys = {k.lower() for k in spec["keys"]}
    if type(value) is cst.Dict:
        for element in value.elements:
            key = ctx.constant(element.key) if type(element) is cst.DictElement else None
            if key is not None and isinstance(key.value, str) and key.value.lower() in keys:
                return True
    return False


def _written_in_the_code(ctx, node, depth: int = 0) -> bool:
    """A value made of literals only (`"admin"`, `None`, `hash_password("demo")`): no one's
    data, whatever the field is called; the data of a demo or a fixture."""
    if ctx.constant(node) is not None:
        return True
    if type(node) is cst.Call and depth < 2 and node.args:
        return all(not a.star and _written_in_the_code(ctx, a.value, depth + 1) for a in node.args)
    return False


def _names_a_person(vocab, model: str) -> bool:
    from gdpr_lint.analysis.names import split_words

    words = split_words(model)
    if not words:
        return False
    last = words[-1]
    return last in vocab.person_nouns or (last.endswith("s") and last[:-1] in vocab.person_nouns)
