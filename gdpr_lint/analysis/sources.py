"""Where personal data comes from besides a name: how a call obtains its value.

A call named after what it returns (`get_password()`, `fetch_salary(emp)`), configuration read
by a key that names a secret (`config.get("database", "PASSWORD")`), and what a person types at
a prompt (`getpass.getpass()`, `input("Email: ")`). The words are data in rules/pii_sources.toml
([pii.sources]); the engine asks these helpers from its call analysis, so every rule benefits.
"""

from __future__ import annotations

import re
from typing import Callable, List, Optional, Tuple, cast

from gdpr_lint._lazy import cst
from gdpr_lint.analysis.names import last_name, split_words

TextOf = Callable[[object], Optional[str]]  # the string a node folds to, if any

# a key as code writes one: `mysql_password`, `FERNET_KEY`, `database.password`, `/prod/db/password`;
# not a value such as a default URL (`"https://github.com/login/oauth/access_token"`)
_KEY_LIKE = re.compile(r"/?[A-Za-z_][A-Za-z0-9_.\-/]{0,99}$")
# a question asks for an answer, not for the data it mentions (`Delete all tokens? [y/n]`)
_QUESTION = re.compile(r"\?|\[\s*y\s*/\s*n\s*\]|\(\s*y\s*/\s*n\s*\)|\byes\s*/\s*no\b", re.IGNORECASE)


# an aside in a prompt: `Password (again): `, `Token [hidden]: `
_ASIDE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")


def _is_true(node) -> bool:
    return type(node) is cst.Name and node.value == "True"


def getter_words(vocab, name: str) -> Optional[Tuple[str, ...]]:
    """The words of a call's name that say what it returns, when the name is a getter verb
    and more (`fetch_salary` -> (fetch, salary)), cut before a preposition (`get_user_by_email`
    -> (get, user)); None when the name is no getter."""
    words = split_words(name)
    if len(words) < 2 or words[0] not in vocab.sources.getter_verbs:
        return None
    for index, word in enumerate(words[2:], 2):
        if word in vocab.getter_prepositions:
            return words[:index]
    return words


def is_settings_module(vocab, module: str) -> bool:
    """Whether a dotted module path names a settings module ([pii.sources] settings-modules):
    `settings`, `myapp.conf`, `.local_settings`, `config.secrets`."""
    words = {w for part in module.split(".") for w in split_words(part)}
    return not vocab.sources.settings_modules.isdisjoint(words)


def _prompt_text(node, text_of: TextOf) -> Optional[str]:
    """The text of a prompt: a string, the literal parts of an f-string, the format of `%`."""
    text = text_of(node)
    if text is not None:
        return text
    if type(node) is cst.FormattedString:
        return " ".join(p.value for p in node.parts if type(p) is cst.FormattedStringText)
    if type(node) is cst.BinaryOperation and type(node.operator) is cst.Modulo:
        return text_of(node.left)
    if type(node) is cst.Call and type(node.func) is cst.Attribute and node.func.attr.value == "format":
        return text_of(node.func.value)
    return None


def prompt_source(vocab, call, target: Optional[str], text_of: TextOf) -> Optional[Tuple[str, str]]:
    """(category, confidence) of what a prompt returns: a secret for a prompt that hides the
    typing (`getpass.getpass()`, `click.prompt(..., hide_input=True)`), else what its text asks
    for (`input("Email: ")`), unless the text is a question or a sentence; None otherwise."""
    kinds = vocab.sources
    if not target:
        return None
    if target in kinds.secret_prompts:
        return (kinds.secret_category, "high") if kinds.secret_category else None
    if target not in kinds.prompt_functions:
        return None
    text_node = None
    for index, arg in enumerate(call.args):
        if arg.keyword is None and index == 0 and not arg.star:
            text_node = arg.value
        elif arg.keyword is not None:
            if arg.keyword.value in kinds.hidden_input_keywords and _is_true(arg.value):
                return (kinds.secret_category, "high") if kinds.secret_category else None
            if arg.keyword.value in kinds.prompt_keywords:
                text_node = arg.value
    text = _prompt_text(text_node, text_of) if text_node is not None else None
    if not text or _QUESTION.search(text):
        return None
    # what the prompt asks for heads its first clause: `Password for %s (again): ` asks for a
    # password, `Label for the token list: ` for a label
    words = split_words(_ASIDE.sub(" ", text).split(":", 1)[0])
    if not words or len(words) > kinds.prompt_max_words:
        return None
    for index, word in enumerate(words[1:], 1):
        if word in vocab.getter_prepositions:
            words = words[:index]
            break
    category = vocab.classify_words(words, head=True)
    return (category, "medium") if category is not None else None


def config_key(vocab, call, text_of: TextOf) -> Optional[Tuple[str, str]]:
    """(category, key) when a call reads configuration by a key that names a secret:
    `config.get("database", "PASSWORD")`, `get_config("mysql_password")`,
    `settings_value("FERNET_KEY")`, `ssm.get_parameter(Name="/prod/db/password")`. A call
    reads configuration when its name or its receiver's has a config word, and its name does
    not start with a word that writes or asks (`set_config`, `has_setting`)."""
    kinds = vocab.sources
    if not kinds.config_words or not call.args:
        return None
    func = call.func
    words = split_words(last_name(func))
    receiver = split_words(last_name(func.value)) if type(func) is cst.Attribute else ()
    if kinds.config_words.isdisjoint(words) and kinds.config_words.isdisjoint(receiver):
        return None
    if words and words[0] not in kinds.getter_verbs and vocab.meta_prefixes.begins(words):
        return None
    for arg in call.args:
        if arg.star or (arg.keyword is not None and arg.keyword.value not in kinds.config_key_keywords):
            continue
        key = text_of(arg.value)
        category = secret_key_category(vocab, key) if isinstance(key, str) else None
        if category is not None:
            return category, cast(str, key)  # a str when category is not None
    return None


def secret_key_category(vocab, key: str) -> Optional[str]:
    """The category of a settings key that names a secret: as a setting's name is judged
    (ALL_CAPS or not), the secret must head it (`mysql_password`, `FERNET_KEY`; not
    `cookie_options`, `ACCESS_TOKEN_EXPIRE_MINUTES`), and only [pii.sources]
    config-key-groups count (`ADMIN_EMAIL` is the operator's address, configuration)."""
    if not _KEY_LIKE.match(key) or key.lower() in vocab.ignored:
        return None
    category = vocab.classify_words(split_words(key), constant=True)
    if category is not None and vocab.categories[category].group in vocab.sources.config_key_groups:
        return category
    return None


def config_item_category(vocab, container, key: str) -> Optional[str]:
    """`app.config["SECRET_KEY"]`, `settings["db_password"]`: an item of a container named as
    configuration, read by a key that names a secret (other keys of such a container name
    settings, not data)."""
    words = split_words(last_name(container))
    if not words or vocab.sources.config_words.isdisjoint(words[-1:]):
        return None
    return secret_key_category(vocab, key)


def argument_words(node, depth: int = 0) -> List[str]:
    """The words of the names and strings an argument spells (`RevocationEndpoint.ENDPOINT_NAME`:
    revocation, endpoint, endpoint, name; `"revocation"`)."""
    if depth > 4:
        return []
    t = type(node)
    if t is cst.Name:
        return list(split_words(node.value))
    if t is cst.Attribute:
        return argument_words(node.value, depth + 1) + list(split_words(node.attr.value))
    if t is cst.SimpleString:
        return list(split_words(node.raw_value))
    return []
