"""Name and import resolution: what a name, attribute or call refers to (`logging.getLogger`,
`<logger>`), and the binding behind a name. A mixin of the engine's Context.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, FrozenSet, List, Optional, Set, Tuple

import libcst as cst

from gdpr_lint.analysis.names import TYPE_WRAPPERS, split_words
from gdpr_lint.semantic.scope import Binding, Const, Definition, LazyKindBinding, Scope, _ClassRef, _FunctionRef
from gdpr_lint.semantic.opened_logs import opened_kind
from gdpr_lint.syntax.nodes import _last_name, child_nodes, dotted_name, string_value

if TYPE_CHECKING:
    from gdpr_lint.semantic.project_use import FileProject


def _annotation_name(annotation) -> Optional[str]:
    if annotation is None:
        return None
    node = annotation.annotation
    if type(node) is cst.Subscript:  # Optional[EmailStr], list[str]
        name = dotted_name(node.value)
        if name and name.rsplit(".", 1)[-1] in TYPE_WRAPPERS and node.slice:
            inner = node.slice[0].slice
            if type(inner) is cst.Index:
                return dotted_name(inner.value)
        return name
    if type(node) is cst.BinaryOperation:  # EmailStr | None, int | StreamToken | None
        while type(node) is cst.BinaryOperation:
            node = node.left
        return dotted_name(node)
    return dotted_name(node)


def _annotation_node(annotation):
    """The class an annotation names: `Optional[X]`, `Annotated[X, ...]`, `X | None` give X."""
    node = annotation.annotation if annotation is not None else None
    for _ in range(4):
        if type(node) is cst.Subscript:
            name = dotted_name(node.value)
            if (
                name
                and name.rsplit(".", 1)[-1] in TYPE_WRAPPERS
                and node.slice
                and type(node.slice[0].slice) is cst.Index
            ):
                node = node.slice[0].slice.value
                continue
        elif type(node) is cst.BinaryOperation:
            node = node.left
            continue
        break
    return node if type(node) in (cst.Name, cst.Attribute) else None


def _uses_locals(cls: Scope, value) -> bool:
    """Whether the value a method gave `self.x` reads a name of that method (a parameter or
    a local; `self` is the same object in every method), as the class pre-pass recorded it."""
    found = cls.data.get("attribute values", {}).get(id(value))
    if found is None:
        return True  # not seen by the pre-pass: unknown
    local_names, self_name = found
    stack = [value]
    while stack:
        current = stack.pop()
        kind = type(current)
        if kind is cst.Name:
            if current.value in local_names and current.value != self_name:
                return True
        elif kind is cst.Attribute:
            stack.append(current.value)
        elif kind is cst.Arg:
            stack.append(current.value)
        elif current is not None:
            stack.extend(child_nodes(current))
    return False


class ResolveMixin:
    """Resolution of names, attributes and calls against the scopes of the walk."""

    if TYPE_CHECKING:  # provided by the Context and its other mixins
        scope: Scope
        factories: Dict[str, str]
        instances: Dict[str, str]
        conventional: Dict[str, str]
        conventional_suffixes: Dict[str, str]
        factory_names: Dict[str, str]
        factory_name_suffixes: Dict[str, str]
        conditional_factories: Dict[str, Any]
        stream_wrappers: Dict[str, Any]
        imported_readers: Dict[str, Tuple[str, FrozenSet[str]]]
        _resolving_bases: Set[Any]
        types: Dict[str, str]
        project: Optional[FileProject]

        def constant(self, node: Any, _depth: int = 0) -> Optional[Const]: ...
        def _project_call_kind(self, call: cst.Call, target: Optional[str]) -> Optional[str]: ...
        def _project_receiver(self, base: str, attr: str) -> str: ...
        def _attribute_settled(self, cls: Scope, attr: str) -> bool: ...

    _receiver_of: Optional[str] = None  # the attribute read from the name being resolved (`info` of `x.info`)

    def annotation_kind(self, annotation, default=None) -> Optional[str]:
        """The object kind a parameter or attribute is declared with: `client: storage.Client`
        (the class resolved through the imports, as a constructor of the catalogue would
        make it), `redis: Redis = Depends(get_redis)` (what the dependency returns). An
        unrelated `Client` (`from myapp.payments import Client`) has none."""
        node = _annotation_node(annotation)
        if node is not None:
            target = self.resolve(node)
            if target is not None:
                if target.startswith("<"):
                    return None
                kind = self.types.get(target) or self.factories.get(target)
                if kind is not None:
                    return kind.split(":", 1)[0] if kind == "aws" else kind
        outer = annotation.annotation if annotation is not None else None
        if type(outer) is cst.Subscript and _last_name(outer.value) == "Annotated":
            for element in outer.slice[1:]:  # `Annotated[Redis, Depends(get_redis)]`
                if type(element.slice) is cst.Index and type(element.slice.value) is cst.Call:
                    default = element.slice.value
        if (
            type(default) is cst.Call
            and default.args
            and _last_name(default.func) == "Depends"
            and default.args[0].keyword is None
        ):
            provider = default.args[0].value
            return self.call_kind(cst.Call(func=provider)) if type(provider) in (cst.Name, cst.Attribute) else None
        return None

    def _conventional_kind(self, name: str) -> Optional[str]:
        lowered = name.lower()
        kind = self.conventional.get(lowered)
        if kind is None:
            for suffix, suffix_kind in self.conventional_suffixes.items():
                if lowered.endswith(suffix):
                    return suffix_kind
        return kind

    def _imported_object_kind(self, binding: Binding) -> Optional[str]:
        """`from myapp.users import logger` (or `LOGGER`): a project's own logger, by its whole
        name; not `get_task_logger` (a function) nor `Logger` (a class)."""
        assert binding.qualname is not None  # the caller's condition
        if "." not in binding.qualname or binding.type_name == "module":
            return None
        name = binding.qualname.rsplit(".", 1)[1]
        if name[:1].isupper() and not name.isupper():
            return None
        kind = self.conventional.get(name.lower())
        if kind is not None and self._project_module(binding.qualname):
            return None  # `from . import logger`: the project's module logger.py, whose functions make loggers
        return kind

    def _project_module(self, qualname: str) -> bool:
        """Whether `from pkg import name` imports a module of the project: as Python does, a
        name the package's `__init__` gives (`from lfx.log.logger import logger`) comes first,
        its submodule `pkg/name.py` only after."""
        project = self.project
        if project is None or not project.index.in_project(qualname, project.path):
            return False
        name = qualname.rsplit(".", 1)[-1]
        head = qualname[: len(qualname) - len(name)]
        parent = head if not head.strip(".") else head.rstrip(".")
        located = project.ask(project.index.locate, parent, project.path) if parent else None
        if located is None or located[1] or not located[0].endswith("__init__.py"):
            return False  # `from pkg.views import log`: a module's own name, not a submodule
        target = project.ask(project.index._module_name, located[0], name, 0)
        return target is not None and target[0] == "module"

    def _self_binding(self, node: cst.Attribute) -> Optional[Binding]:
        """The binding of `self.x` / `cls.x` in the enclosing class."""
        cls_scope = self._instance_scope(node)
        if cls_scope is None:
            return None
        name = node.attr.value
        return cls_scope.instance.get(name) or cls_scope.bindings.get(name)

    def _imported_reader(self, binding: Binding) -> Optional[str]:
        """The kind of a shared reader imported from a settings module (`from .base import env`)."""
        found = self.imported_readers.get(binding.name)
        if found is None or binding.type_name == "module":
            return None
        assert binding.qualname is not None  # the caller's condition
        module, _, imported = binding.qualname.rpartition(".")
        if imported != binding.name or not module:
            return None
        kind, words = found
        if module.startswith(".") or words.intersection(module.split(".")):
            return kind
        return None

    def resolve(self, node) -> Optional[str]:
        """Dotted target of an expression: `logging.getLogger`, `<logger>`, `print`."""
        if type(node) is cst.Name:
            binding = self.scope.lookup(node.value)
            if binding is not None:
                if binding.qualname:
                    kind = (
                        self.instances.get(binding.qualname)
                        or self._imported_reader(binding)
                        or self._imported_object_kind(binding)
                    )
                    return f"<{kind}>" if kind else binding.qualname
                if (
                    type(binding) is LazyKindBinding
                    and binding.pending
                    and self._receiver_of is not None
                    and self.project is not None
                    and self._receiver_of not in self.project.index.kind_methods
                ):
                    return None  # `x.strip()`: no kind has such a method, so x's kind cannot matter
                if binding.kind:
                    return f"<{binding.kind}>"
                if isinstance(binding.value, _ClassRef):
                    return self._factory_base(binding.value.scope.node)
                return None
            kind = self._conventional_kind(node.value)
            return f"<{kind}>" if kind else node.value
        if type(node) is cst.Attribute:
            binding = self._self_binding(node)
            if binding is not None and binding.kind:
                return f"<{binding.kind}>"
            if type(node.value) is cst.Name:
                self._receiver_of = node.attr.value  # read by the Name branch: see LazyKindBinding
                base = self.resolve(node.value)
                self._receiver_of = None
            else:
                base = self.resolve(node.value)
            if base is None:
                kind = self._conventional_kind(node.attr.value)
                return f"<{kind}>" if kind else None
            if self.project is not None and not base.startswith("<") and base not in ("self", "cls"):
                base = self._project_receiver(base, node.attr.value)
            dotted = f"{base}.{node.attr.value}"
            kind = self.instances.get(dotted)
            if kind:
                return f"<{kind}>"
            if binding is None and not base.startswith("<") and base in ("self", "cls"):
                kind = self._conventional_kind(node.attr.value)
                return f"<{kind}>" if kind else None
            return dotted
        if type(node) is cst.Call:
            kind = self.call_kind(node)
            return f"<{kind}>" if kind else None
        if type(node) is cst.Subscript:
            base = self.resolve(node.value)
            if base is not None:
                kind = self.factories.get(f"{base}.__getitem__")
                return f"<{kind}>" if kind else None
        if type(node) is cst.BinaryOperation and type(node.operator) is cst.BitOr:
            return self._pipe_target(node)
        if type(node) is cst.BooleanOperation and type(node.operator) is cst.Or:
            return self._either_kind(node)
        return None

    def _either_kind(self, node) -> Optional[str]:
        """`session or boto3.Session()`: the object made when none is given is of the kind the
        given one is expected to be (a kind only: a plain name on the left decides nothing)."""
        for side in (node.right, node.left):
            target = self.resolve(side)
            if target and target.startswith("<"):
                return target
        return None

    def _factory_base(self, class_node) -> Optional[str]:
        """A class of the module that subclasses a class the catalogue makes objects of
        (`class AuditAdapter(logging.LoggerAdapter)`, `class Assistant(OpenAI)`) is that class."""
        if class_node in self._resolving_bases:  # `class A(A)` after an import of A
            return None
        self._resolving_bases.add(class_node)
        try:
            for base in class_node.bases:
                target = self.resolve(base.value)
                if target is not None and (target in self.factories or target in self.conditional_factories):
                    return target
        finally:
            self._resolving_bases.discard(class_node)
        return None

    def _pipe_target(self, node) -> Optional[str]:
        """`prompt | llm | parser`: a LangChain runnable sequence is the model it runs (the
        last operand of a known kind), so `chain.invoke(...)` sends to the model."""
        while type(node) is cst.BinaryOperation and type(node.operator) is cst.BitOr:
            right = self.resolve(node.right)
            if right is not None and right.startswith("<"):
                return right
            node = node.left
        left = self.resolve(node)
        return left if left is not None and left.startswith("<") else None

    def resolve_call(self, func) -> Optional[str]:
        return self.resolve(func)

    def call_kind(self, call: cst.Call, project: bool = True) -> Optional[str]:
        """The kind of object a call returns; `project`: also what a project function
        returns (the project index), else the catalogues only."""
        target = self.resolve(call.func)
        if target is None:
            kind = self._named_factory_kind(call)
            if kind is None and project and self.project is not None:
                return self._project_call_kind(call, None)
            return kind
        # factories are dotted calls (`logging.getLogger`) or methods of a kind (`<logger>.bind`)
        kind = self.factories.get(target) or self._named_factory_kind(call)
        if kind == "aws":
            service = None
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value == "service_name":
                    service = string_value(arg.value)
            if service is None and call.args and call.args[0].keyword is None:
                service = string_value(call.args[0].value)
            return f"aws:{service}" if service else "aws"
        if kind is None and target in self.conditional_factories:
            return self._conditional_kind(call, self.conditional_factories[target])
        if kind is None and target in self.stream_wrappers:
            return self._wrapped_stream_kind(call, self.stream_wrappers[target])
        if kind is None and project and self.project is not None:
            return self._project_call_kind(call, target)
        return kind

    def _named_factory_kind(self, call: cst.Call) -> Optional[str]:
        """A call whose name says what it returns, wherever the function is defined ([objects]
        factory-names and factory-name-suffixes, in snake case): `get_logger()`, `getLogger()`,
        `get_log()`, `get_audit_logger()`."""
        func = call.func
        name = func.value if type(func) is cst.Name else func.attr.value if type(func) is cst.Attribute else ""
        if not name or not (self.factory_names or self.factory_name_suffixes):
            return None
        snake = "_".join(split_words(name))
        kind = self.factory_names.get(snake)
        if kind is None:
            for suffix, suffix_kind in self.factory_name_suffixes.items():
                if snake.endswith(suffix):
                    return suffix_kind
        return kind

    def _wrapped_stream_kind(self, call: cst.Call, entry: dict) -> Optional[str]:
        """An object that writes into the stream given first (`csv.writer(sys.stdout)`,
        `codecs.getwriter("utf-8")(sys.stdout.buffer)`, a Django command's
        `csv.DictWriter(self.stdout, ...)`) is of that stream's kind: the console's when the stream
        is one; a writer over a file or a buffer (`csv.writer(handle)`) is of none."""
        if not call.args or call.args[0].keyword is not None:
            return None
        kind = entry["kind"]
        stream = self.resolve(call.args[0].value)
        if stream is not None and (stream == f"<{kind}>" or stream in entry.get("streams", ())):
            return kind
        return None

    def _conditional_kind(self, call: cst.Call, entry: dict) -> Optional[str]:
        """The kind of a client that is a third party's only when hosted there: one of the
        entry's keywords given (`cloud_id=`), or a host of the entry among the string
        arguments (`hosts=["https://x.eu-west-1.es.amazonaws.com"]`)."""
        if "modes" in entry:
            return opened_kind(self.constant, call, entry)
        keywords = entry.get("keywords", ())
        hosts = entry.get("hosts", ())
        stack: List[Any] = []
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value in keywords:
                return entry["kind"]
            stack.append(arg.value)
        while stack:
            node = stack.pop()
            if type(node) in (cst.List, cst.Tuple):
                stack.extend(element.value for element in node.elements)
            elif type(node) is cst.Dict:
                stack.extend(element.value for element in node.elements if type(element) is cst.DictElement)
            else:
                folded = self.constant(node)
                if folded is not None and isinstance(folded.value, str) and any(host in folded.value for host in hosts):
                    return entry["kind"]
        return None

    def kind(self, node) -> Optional[str]:
        target = self.resolve(node)
        if target and target.startswith("<") and target.endswith(">"):
            return target[1:-1]
        return None

    # ---- values -----------------------------------------------------------------------

    def _binding_of(self, node) -> Optional[Binding]:
        if type(node) is cst.Name:
            return self.scope.lookup(node.value)
        if type(node) is cst.Attribute:
            binding = self._self_binding(node)
            if binding is not None:
                return binding
            if type(node.value) is cst.Name:
                owner = self.scope.lookup(node.value.value)
                if owner is not None and isinstance(owner.value, _ClassRef):
                    return owner.value.scope.bindings.get(node.attr.value)
        return None

    def loop_iterable(self, node):
        """What the loop that binds name `node` iterates (`for cluster in CLUSTERS:` ->
        `CLUSTERS`), when that loop gave the name its current binding; else None."""
        binding = self._binding_of(node) if type(node) is cst.Name else None
        if binding is None or binding.node is None:
            return None
        return self.loop_iters.get(id(binding.node))

    def definition(self, node) -> Optional[Definition]:
        binding = self._binding_of(node)
        if type(node) is cst.Attribute and binding is not None and binding.value is not None:
            owner = self._instance_scope(node)
            if owner is not None and owner.instance.get(node.attr.value) is binding:
                if node.attr.value in owner.data.get("open attributes", ()) or _uses_locals(owner, binding.value):
                    return None  # `self.region = region`: a name of the method that set it
                if not self._attribute_settled(owner, node.attr.value):
                    return None  # set elsewhere too, maybe in a method the pre-filter left out
        if (
            binding is None
            or binding.value is None
            or binding.defs != 1
            or isinstance(binding.value, (_ClassRef, _FunctionRef))
        ):
            return None
        name = dotted_name(node) or binding.name
        return Definition(binding.value, name, binding.node, self)

    def attribute_value(self, node) -> Optional[cst.BaseExpression]:
        """What `self.x` was given where a method reads its own names (`self.region = region or
        "us-east-1"`), which `definition` does not fold: for the fallback it holds. None unless
        the class sets the attribute once, in a method the walk has seen."""
        if type(node) is not cst.Attribute:
            return None
        binding = self._binding_of(node)
        owner = self._instance_scope(node)
        if binding is None or binding.value is None or binding.defs != 1 or owner is None:
            return None
        if owner.instance.get(node.attr.value) is not binding or not self._attribute_settled(owner, node.attr.value):
            return None
        return binding.value

    def is_local(self, node) -> bool:
        """Whether `node` is a name the function being walked has bound so far (assignment,
        loop, `with ... as`, walrus), not one of its parameters; for checks that tell a
        function's own variable from a value given to it (redis keys)."""
        scope = self.scope
        return (
            type(node) is cst.Name
            and scope.kind == "function"
            and node.value in scope.bindings
            and node.value not in scope.param_names
        )

    def _root_binding(self, node) -> Optional[Binding]:
        """The binding of the name an attribute chain starts from (`os` in `os.path.join`)."""
        while type(node) is cst.Attribute:
            node = node.value
        return self.scope.lookup(node.value) if type(node) is cst.Name else None

    def is_module(self, node) -> bool:
        return self._is_module(node)

    def _is_module(self, node) -> bool:
        """`requests`, `os.path`: a name bound by `import X` (not an object imported from one)."""
        binding = self._root_binding(node)
        return binding is not None and binding.type_name == "module"

    def _is_import(self, node) -> bool:
        binding = self._root_binding(node)
        return binding is not None and binding.qualname is not None

    def _kind_is_module(self, target: Optional[str]) -> bool:
        return target is not None and target.startswith(("os.", "environ."))

    # ---- binding ------------------------------------------------------------------------

    def _instance_scope(self, target: cst.Attribute) -> Optional[Scope]:
        """The class scope that `self.x` / `cls.x` belongs to, inside a method."""
        if type(target.value) is not cst.Name:
            return None
        scope: Optional[Scope] = self.scope
        while scope is not None and scope.kind == "function" and scope.class_scope is None:
            scope = scope.parent
        if scope is None or scope.class_scope is None or target.value.value not in ("self", "cls", scope.self_name):
            return None
        return scope.class_scope
