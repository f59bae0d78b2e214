"""Names a function holds a signed-in account in: `user.is_superuser`, `user: User`.

Django's user (`AbstractBaseUser.__str__`) prints as its username, so `logger.warning("... by
user %s", user)` writes the login name, whether `user` came from `request.user` (analysis/taint.py
knows that one) or is a parameter (`def is_accessible_by(self, user, request=None)`). A parameter
named `user` alone says nothing (an id, a database role, an OS account); what says it is an
account ([pii.request-sources] account-*):
- the function reads an account's own attribute from it (`user.is_superuser`, `user.has_perm(...)`);
- its annotation is the auth user model (`user: User`, `Optional[AbstractUser]`), or the docstring
  gives that type (`user (django.contrib.auth.models.User): ...`, `:type user: ...User`);
- it is assigned one read from the model's manager (`User.objects.get(pk=...)`), or loops over
  its rows (`for user in User.objects.filter(...)`);
- it is signed in (`login(request, user)`: [pii.request-sources] account-logins), or checked to be one
  (`isinstance(user, get_user_model())`);
- in a module that imports Django, the function reads a field of Django's user from it (`user.email`,
  `user.username`: [pii.request-sources] account-django-fields).
A `user` (or `user_dict`, `user_ref`: [pii.request-sources] account-record-words) the function
reads or sets by a key (`user["id"]`, `user.get("domain")`) is a user's record, a dict: formatted
whole it writes every field it holds (a federated user's name, domain, e-mail address), however
few of them the function itself reads; not when the function writes that dict itself
(`user = {"id": ..., "enabled": True}`: its keys are known and say what it holds).
Read once per function, when a judgement needs it.
"""

from __future__ import annotations

import re
from typing import Callable, Dict, FrozenSet, Optional, Set

import libcst as cst

from gdpr_lint.syntax.nodes import nodes_under

_WRAPPERS = ("Optional", "Annotated")
_RECORD_METHODS = ("get", "first", "last", "latest", "earliest")


def _unwrapped(node):
    """`Optional[User]`, `Annotated[User, ...]`, `User | None`, `"User"`: the class expression."""
    while True:
        if type(node) is cst.Subscript and node.slice and _last(node.value) in _WRAPPERS:
            inner = node.slice[0].slice
            if type(inner) is not cst.Index:
                return None
            node = inner.value
        elif type(node) is cst.BinaryOperation:
            node = node.left if not (type(node.left) is cst.Name and node.left.value == "None") else node.right
        else:
            return node


def _last(node) -> str:
    if type(node) is cst.Name:
        return node.value
    if type(node) is cst.Attribute:
        return node.attr.value
    return ""


def _documented_types(function: cst.FunctionDef) -> Dict[str, str]:
    """Parameter -> the type its docstring gives (`user (django.contrib.auth.models.User):`,
    `user (User, optional):`, `:type user: User`)."""
    docstring = function.get_docstring(clean=True)
    if not docstring:
        return {}
    types: Dict[str, str] = {}
    for match in re.finditer(r"^\s*(\w+)\s*\(\s*~?([\w.]+)\s*(?:,[^)]*)?\)\s*:", docstring, re.M):
        types.setdefault(match.group(1), match.group(2))
    for match in re.finditer(r"^\s*:type\s+(\w+)\s*:\s*~?([\w.]+)\s*$", docstring, re.M):
        types.setdefault(match.group(1), match.group(2))
    return types


def account_objects(
    function: cst.CSTNode,
    names: FrozenSet[str],
    attributes: FrozenSet[str],
    types: FrozenSet[str],
    resolve: Callable[[cst.CSTNode], Optional[str]],
    record_words: FrozenSet[str] = frozenset(),
    callees: Optional[Callable[[str], Optional[cst.FunctionDef]]] = None,
    logins: FrozenSet[str] = frozenset(),
    django_fields: FrozenSet[str] = frozenset(),
    login_names: FrozenSet[str] = frozenset(),
    password_names: FrozenSet[str] = frozenset(),
    connection_names: FrozenSet[str] = frozenset(),
    authenticated: Optional[Dict[str, str]] = None,
) -> Dict[str, str]:
    """Each name the function holds an account in -> what it is and what says so (for the
    reason): a name of `names` it reads one of `attributes` from, a parameter typed as one of
    `types`, a name assigned a record of one of them; a user's record it reads by key; a string
    parameter named as the login the project's authentication returns (`authenticated`: name ->
    where the project binds it so, semantic/project_logins.py)."""
    found: Dict[str, str] = {}
    keyed, literal = _keyed_records(function, names, record_words)

    def is_account_type(node) -> bool:
        node = _unwrapped(node) if node is not None else None
        if node is None:
            return False
        if type(node) is cst.SimpleString:  # a forward reference: `"User"`
            return False
        target = resolve(node)
        return target in types

    if type(function) is cst.FunctionDef:
        documented = _documented_types(function)
        params = function.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            name = param.name.value
            if param.annotation is not None and is_account_type(param.annotation.annotation):
                found[name] = f"annotated {_last(_unwrapped(param.annotation.annotation))}"
            elif name in documented:
                typ = documented[name]
                if typ in types or is_account_type(_expression(typ)):
                    found[name] = f"documented as {typ}"

    # the nodes' own fields, not a libcst visitor (which rebuilds every node it passes: on the
    # corpus's django and wagtail that was 5.2 s of 46 s, a ninth of the run)
    for node in nodes_under(function):
        kind = type(node)
        if kind is cst.Attribute:
            value = node.value
            if type(value) is cst.Name and value.value in names:
                if node.attr.value in attributes:
                    found.setdefault(value.value, f"{value.value}.{node.attr.value}")
                elif node.attr.value in django_fields:  # `user.email` in a Django module
                    found.setdefault(value.value, f"{value.value}.{node.attr.value}, a field of Django's user")
        elif kind is cst.Assign:
            # `user = User.objects.get(pk=user_id)`: a record of the auth user model
            if len(node.targets) == 1 and type(node.targets[0].target) is cst.Name:
                target = node.targets[0].target.value
                if _model_record(node.value, is_account_type):
                    found.setdefault(target, "read from the user model's manager")
        elif kind is cst.For:
            # `for user in User.objects.filter(username__in=...)`: each a record of the model
            if type(node.target) is cst.Name and _model_rows(node.iter, is_account_type):
                found.setdefault(node.target.value, "a row of the user model's manager")
        elif kind is cst.Call and type(node.func) is cst.Name and node.func.value == "isinstance":
            # `elif isinstance(user, get_user_model()):` the branch holds an auth user
            checked = [a.value for a in node.args if a.keyword is None]
            if len(checked) == 2 and type(checked[0]) is cst.Name and checked[0].value in names:
                if is_account_type(checked[1]):
                    found.setdefault(checked[0].value, "checked with isinstance() against the user model")
        elif kind is cst.Call and logins and node.args and resolve(node.func) in logins:
            # `login(request, user)`: Django signs that user in, an auth user
            given = [a.value for a in node.args if a.keyword is None][1:2]
            given += [a.value for a in node.args if a.keyword is not None and a.keyword.value == "user"]
            for value in given:
                if type(value) is cst.Name:
                    found.setdefault(value.value, f"signed in by {_last(node.func)}()")
    accounts = {name: f"a signed-in user ({evidence}): it prints as its username" for name, evidence in found.items()}
    if login_names and password_names:
        for name, evidence in password_logins(function, login_names, password_names, connection_names).items():
            accounts.setdefault(name, f"the login name {evidence}: the person's username")
    if authenticated and type(function) is cst.FunctionDef:
        for name, where in string_params(function, authenticated).items():
            accounts.setdefault(
                name,
                f"a string named as the login the project's authentication takes or returns ({where}): the person's username",
            )
    if callees is not None:
        for name, evidence in _records_passed_on(function, names, record_words, callees).items():
            keyed.setdefault(name, evidence)
    for name, evidence in keyed.items():
        if name not in accounts and name not in literal:
            accounts[name] = (
                f"a user's record ({evidence}): formatted whole it writes every field it holds (name, e-mail address)"
            )
    return accounts


def password_logins(
    function: cst.CSTNode,
    login_names: FrozenSet[str],
    password_names: FrozenSet[str],
    connection_names: FrozenSet[str] = frozenset(),
) -> Dict[str, str]:
    """Names of `login_names` a password goes with -> how: a parameter of a function that takes
    a password too (`def _login(self, login, password)`), or a name unpacked together with one
    (`login, password = decode_request(...)`). Either way the password is checked for that login;
    not where the function also takes where to connect (`def connect(host, login, password)`):
    that is a client's, the service's own account. A pair read from attributes (`conn.login,
    conn.password`) is a stored connection's, not a request's. A login name bound from a call
    given another login and the password (`(user, groups) = auth.login(login, password)`) is
    the login the authentication answers with."""
    found: Dict[str, str] = {}
    if type(function) is cst.FunctionDef:
        params = function.params
        names = [p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)]
        if any(n in connection_names for n in names):
            return found
        password = next((n for n in names if n in password_names), None)
        if password is not None:
            for name in names:
                if name in login_names:
                    found[name] = f"{function.name.value}() takes with the password `{password}`"
    for node in nodes_under(function):
        if type(node) is not cst.Assign:
            continue
        checked = _authentication(node.value, login_names, password_names)
        if checked is not None:
            # `(user, info, groups) = self._auth.login(login, password, context) or ("", "", set())`
            for target in node.targets:
                unpacked = target.target
                elements = (
                    [e.value for e in unpacked.elements] if isinstance(unpacked, (cst.Tuple, cst.List)) else [unpacked]
                )
                for element in elements:
                    # the answer for another login (not `user = update(user, password)`)
                    if type(element) is cst.Name and element.value in login_names and checked[1] - {element.value}:
                        found.setdefault(element.value, f"returned by {checked[0]}() given the login and the password")
        for target in node.targets:
            unpacked = target.target
            if not isinstance(unpacked, (cst.Tuple, cst.List)) or isinstance(node.value, (cst.Tuple, cst.List)):
                continue
            names = [e.value.value for e in unpacked.elements if isinstance(e.value, cst.Name)]
            password = next((n for n in names if n in password_names), None)
            if password is None:
                continue
            for name in names:
                if name in login_names:
                    found.setdefault(name, f"unpacked together with the password `{password}`")
    return found


def _authentication(value, login_names: FrozenSet[str], password_names: FrozenSet[str]):
    """(the name of the call a value is the answer of, the login names it is given), when that
    call is given a password (`self._auth.login(login, password, context) or default`, `... if
    login else ""`); else None."""
    while True:
        if type(value) is cst.Await:
            value = value.expression
        elif type(value) is cst.BooleanOperation:
            value = value.left
        elif type(value) is cst.IfExp:
            value = value.body
        else:
            break
    if type(value) is not cst.Call:
        return None
    # by position, as an authentication is asked (keywords name a new record's fields:
    # `User(login=login, password="")`; semantic/project_logins.py reads the same)
    given = frozenset(a.value.value for a in value.args if a.keyword is None and type(a.value) is cst.Name)
    if given & password_names:
        return (_last(value.func) or "a call"), given & login_names
    return None


def string_params(function: cst.FunctionDef, names: Dict[str, str]) -> Dict[str, str]:
    """Parameters of `names` annotated as a string (`user: str`, `Optional[str]`, `str | None`)
    -> the value `names` gives them."""
    found: Dict[str, str] = {}
    params = function.params
    for param in (*params.posonly_params, *params.params, *params.kwonly_params):
        name = param.name.value
        if name in names and param.annotation is not None:
            annotation = _unwrapped(param.annotation.annotation)
            if type(annotation) is cst.Name and annotation.value == "str":
                found[name] = names[name]
    return found


def _keyed_records(function: cst.CSTNode, names: FrozenSet[str], record_words: FrozenSet[str]):
    """Record names the function reads or sets by a key -> the first such read (`user['id']`);
    and the names it assigns a dict literal (whose keys it wrote itself)."""
    keyed: Dict[str, str] = {}
    literal: Set[str] = set()
    for node in nodes_under(function):
        kind = type(node)
        if kind is cst.Subscript:
            value = node.value
            if type(value) is cst.Name and is_record_name(value.value, names, record_words):
                key = _string_key(node.slice[0].slice if len(node.slice) == 1 else None)
                if key is not None:
                    keyed.setdefault(value.value, f"{value.value}[{key!r}]")
        elif kind is cst.Call:
            func = node.func
            if (
                type(func) is cst.Attribute
                and func.attr.value == "get"
                and type(func.value) is cst.Name
                and node.args
                and is_record_name(func.value.value, names, record_words)
            ):
                key = _string_key(node.args[0])
                if key is not None:
                    keyed.setdefault(func.value.value, f"{func.value.value}.get({key!r})")
        elif kind is cst.Assign and type(node.value) is cst.Dict:
            for target in node.targets:
                if type(target.target) is cst.Name:
                    literal.add(target.target.value)
    return keyed, literal


def _records_passed_on(
    function: cst.CSTNode,
    names: FrozenSet[str],
    record_words: FrozenSet[str],
    callees: Callable[[str], Optional[cst.FunctionDef]],
) -> Dict[str, str]:
    """Record names the function passes to a function of its module that reads that parameter
    by key (`retrieve_assignments(user, api)`, which reads `user['id']`): one call deep."""
    found: Dict[str, str] = {}
    for node in nodes_under(function):
        if type(node) is not cst.Call or type(node.func) is not cst.Name:
            continue
        callee = callees(node.func.value)
        if callee is None or callee is function:
            continue
        params = [p.name.value for p in (*callee.params.posonly_params, *callee.params.params)]
        for index, arg in enumerate(node.args):
            if arg.star:
                break
            if type(arg.value) is not cst.Name:
                continue
            name = arg.value.value
            if name in found or not is_record_name(name, names, record_words):
                continue
            param = arg.keyword.value if arg.keyword is not None else (params[index] if index < len(params) else None)
            if param is None:
                continue
            keyed, literal = _keyed_records(callee, frozenset({param}), frozenset())
            if param in keyed and param not in literal:
                found[name] = f"passed to {callee.name.value}(), which reads {keyed[param]}"
    return found


def is_record_name(name: str, names: FrozenSet[str], record_words: FrozenSet[str]) -> bool:
    """`user`, `user_dict`, `user_ref`: a name of `names`, alone or before a record word."""
    if name in names:
        return True
    head, _, tail = name.rpartition("_")
    return bool(head) and head in names and tail.lower() in record_words


def _string_key(node) -> Optional[str]:
    """The text of a subscript's or an argument's plain string (`"id"`), else None."""
    value = getattr(node, "value", None)
    if type(value) is cst.SimpleString:
        text = value.evaluated_value
        return text if isinstance(text, str) else None
    return None


def may_be_account(
    name: str,
    names: FrozenSet[str],
    type_name: Optional[str],
    value,
    types: FrozenSet[str],
    record_words: FrozenSet[str] = frozenset(),
    login_names: FrozenSet[str] = frozenset(),
) -> bool:
    """Whether `account_objects` can say anything of this name: the cheap test first."""
    if (
        name in login_names
        or is_record_name(name, names, record_words)
        or (type_name is not None and type_name in {t.rsplit(".", 1)[-1] for t in types})
    ):
        return True
    return type(value) is cst.Call and type(value.func) is cst.Attribute and value.func.attr.value in _RECORD_METHODS


def _model_record(value, is_account_type) -> bool:
    """`User.objects.get(...)`, `User.objects.filter(...).first()`: one record of the model."""
    if type(value) is cst.Await:
        value = value.expression
    if not isinstance(value, cst.Call) or not isinstance(value.func, cst.Attribute):
        return False
    return value.func.attr.value in _RECORD_METHODS and _model_rows(value.func.value, is_account_type)


def _model_rows(value, is_account_type) -> bool:
    """`User.objects.filter(...)`, `User.objects.all()`: rows of the model, whatever the method."""
    node = value
    while isinstance(node, (cst.Call, cst.Attribute)):
        if isinstance(node, cst.Call):
            node = node.func
            continue
        if node.attr.value == "objects":
            return is_account_type(node.value)
        node = node.value
    return False


def _expression(text: str):
    """A docstring's type as an expression to resolve (`User` as this module imports it)."""
    try:
        return cst.parse_expression(text)
    except cst.ParserSyntaxError:
        return None
