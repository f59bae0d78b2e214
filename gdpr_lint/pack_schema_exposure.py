"""The rule-pack schema of the personal-data vocabularies ([pii]), objects ([objects]) and the
exposure family ([exposure]): one entry per key, as gdpr_lint.pack_schema explains."""

from __future__ import annotations

from gdpr_lint.pack_spec import (
    BOOL,
    INT,
    POSITION,
    SEVERITY,
    STR,
    STRS,
    Int,
    ListOf,
    MapOf,
    OneOf,
    Table,
)

PII = Table(
    {
        "person-nouns": STRS,
        "meta-suffixes": STRS,
        "meta-containers": STRS,
        "meta-prefixes": STRS,
        "sanitized-words": STRS,
        "entry-points": MapOf(STR),  # class base or `@decorator` -> the kind of field (inventory)
        "categories": MapOf(
            Table(
                {
                    "label": STR,
                    "group": STR,
                    "severity": SEVERITY,
                    "phrases": STRS,
                    "bare-phrases": STRS,
                    "types": STRS,
                    "exclude-words": STRS,
                    "exclude-scope-words": STRS,
                    "exclude-scope-phrases": STRS,
                    "context-phrases": MapOf(STRS),
                    "exclude-module-words": STRS,
                    "directory-words": STRS,
                }
            )
        ),
        #: how a value is obtained (rules/pii_sources.toml)
        "sources": Table(
            {
                "getter-verbs": STRS,
                "config-words": STRS,
                "config-key-groups": STRS,
                "config-key-keywords": STRS,
                "constant-name-words": STRS,
                "settings-modules": STRS,
                "secret-prompts": STRS,
                "prompt-functions": STRS,
                "hidden-input-keywords": STRS,
                "prompt-keywords": STRS,
                "secret-category": STR,
                "prompt-max-words": Int(minimum=1),
                "returns": MapOf(STR),
                "server-responses": STRS,
                "server-response-category": STR,
                "server-response-bodies": STRS,
                "server-response-silent-words": STRS,
            }
        ),
        "request-sources": Table(
            {
                "attributes": STRS,
                "bases": STRS,
                "payload-attributes": STRS,
                "payload-methods": STRS,
                "payload-names": STRS,
                "thing-resources": STRS,
                "form-bases": STRS,
                "payload-handler-params": MapOf(STR),
                "payload-category": STR,
                "user-attributes": STRS,
                "account-attributes": STRS,
                "account-types": STRS,
                "account-record-words": STRS,
                "medium-address": STRS,
                "account-logins": STRS,
                "account-model-factories": STRS,
                "account-django-fields": STRS,
                "account-login-names": STRS,
                "account-password-names": STRS,
                "account-connection-names": STRS,
                "account-relations": STRS,
                "user-category": STR,
            }
        ),
        "sanitizers": Table({"words": STRS, "functions": STRS}),
        "weak-hashes": Table(
            {
                "algorithms": STRS,
                "digest-methods": STRS,
                "categories": STRS,
                "keyed-keywords": STRS,
                "keyed-categories": STRS,
                "salt-words": STRS,
                "short-prefix": INT,
                "short-prefix-categories": STRS,
            }
        ),
        #: how sure a recognised name is (analysis/confidence.py)
        "confidence": Table(
            {
                "ambiguous-words": STRS,
                "strong-phrases": STRS,
                "person-owners": STRS,
                "people-scope-words": STRS,
                "thing-owners": STRS,
                "thing-qualifiers": STRS,
                "strong-thing-qualifiers": STRS,
                "thing-modules": STRS,
                "number-types": STRS,
                "number-typed-not": STRS,
                "record-keys": STRS,
                "session-kinds": STRS,
                "app-session-kinds": STRS,
                "login-words": STRS,
                "public-parts": STRS,
                "anti-forgery-words": STRS,
                "config-owners": STRS,
                "config-categories": STRS,
                "account-nouns": STRS,
                "own-identity-calls": STRS,
                "record-class-suffixes": STRS,
                "item-key-names": STRS,
                "organisation-nouns": STRS,
                "party-nouns": STRS,
                "own-account-calls": STRS,
                "organisation-categories": STRS,
                "holder-ids": MapOf(STRS),
                "spent-words": STRS,
                "unknown-words": STRS,
                #: uses that contradict a name (analysis/uses.py)
                "uses": Table(
                    {
                        "network-attributes": STRS,
                        "network-call-words": STRS,
                        "network-containers": STRS,
                        "network-categories": STRS,
                        "recipient-category": STR,
                        "recipient-methods": MapOf(ListOf(OneOf(POSITION, STR))),
                        "recipient-functions": MapOf(ListOf(OneOf(POSITION, STR))),
                        "recipient-tokens": STRS,
                        "network-resolvers": STRS,
                        "secret-store-words": STRS,
                        "secret-reader-verbs": STRS,
                        "signed-keys": STRS,
                    }
                ),
            }
        ),
        "redaction": Table({"methods": STRS}),
        "flow": Table(
            {
                key: STRS
                for key in (
                    "non-data-calls",
                    "path-functions",
                    "file-openers",
                    "non-data-types",
                    "config-owners",
                    "enum-member-attributes",
                    "object-dumpers",
                    "record-owner-words",
                    "dump-methods",
                    "message-renderers",
                    "address-headers",
                    "mail-only-headers",
                    "message-methods",
                    "account-id-nouns",
                    "auto-repr-decorators",
                    "auto-repr-bases",
                    "key-functions",
                    "key-methods",
                    "container-mutators",
                    "value-attributes",
                    "passthrough-skip-keywords",
                    "passthrough-functions",
                    "passthrough-methods",
                    "element-mappers",
                    "element-filters",
                    "response-functions",
                    "response-drops-groups",
                    "plain-repr-responses",
                    "url-errors",
                    "address-errors",
                    "mail-send-methods",
                    "url-error-keywords",
                    "getter-prepositions",
                    "signal-sender-params",
                    "parse-errors",
                    "shape-names-kept",
                )
            }
            | {"shape-marks": MapOf(STR), "parsers": MapOf(STR), "record-category": STR}
        ),
    }
)

#: [objects]: how objects of a kind are made and named (name -> kind)
OBJECTS = Table(
    {
        **{
            key: MapOf(STR)
            for key in (
                "factories",
                "instances",
                "names",
                "name-suffixes",
                "types",
                "factory-names",
                "factory-name-suffixes",
            )
        },
        # a parameter's kind by the function it belongs to (Sentry's before_send(event, hint))
        "parameters": ListOf(
            Table(
                {"names": STRS, "with": STRS, "functions": STRS, "not-in-packages": STRS, "kind": STR},
                required=("names", "kind"),
            )
        ),
        # a client that is a third party's only when hosted there (Elastic Cloud's cloud_id=)
        "conditional-factories": ListOf(
            Table(
                {
                    "targets": STRS,
                    "keywords": STRS,
                    "hosts": STRS,
                    "path-suffixes": STRS,
                    "path-words": STRS,
                    "modes": STRS,
                    "kind": STR,
                },
                required=("targets", "kind"),
            )
        ),
        # an object that writes into the stream given first (`csv.writer(sys.stdout)`): of the
        # kind of that stream when it is one of `streams` or an object of `kind`
        "stream-wrappers": ListOf(Table({"targets": STRS, "streams": STRS, "kind": STR}, required=("targets", "kind"))),
    }
)

EXPOSURE = Table(
    {
        "verbs": MapOf(STR),
        "helper-verbs": MapOf(STR),  # rule -> the active verb said of a helper that does it (`writes it to a log`)
        "sink-kinds": MapOf(STR),  # rule -> the kind of place its sinks are, for the inventory
        "recipients": MapOf(STR),  # first part of a call target -> the service it sends to
        "sinks": ListOf(
            Table(
                {
                    "rule": STR,
                    "targets": STRS,
                    "verb": STR,
                    "positional": ListOf(POSITION),
                    "keywords": OneOf(STRS, STR),
                    "key-value": ListOf(POSITION),
                    "skip-keywords": STRS,
                    "skip-positional": POSITION,
                    "stream-keywords": STRS,
                    "console-streams": STRS,
                    "kind": STR,
                    "recipient": STR,
                    "methods": STRS,
                    "key-keywords": STRS,
                    "not-categories": STRS,
                    "external-url": BOOL,
                },
                required=("rule", "targets"),
            )
        ),
        "writes": ListOf(
            Table(
                {
                    "rule": STR,
                    "verb": STR,
                    "kinds": STRS,
                    "attributes": OneOf(STRS, STR),
                    "items": BOOL,
                    "attribute-items": STRS,
                    "not-categories": STRS,
                },
                required=("rule",),
            )
        ),
        #: a session object whose values stay on the server when the project installs a store
        "server-sessions": Table({"kinds": STRS, "attributes": STRS, "modules": STRS, "cookie-interfaces": STRS}),
        "endpoints": ListOf(Table({"rule": STR, "hosts": STRS}, required=("rule", "hosts"))),
        "pseudonym-function-words": STRS,
        "body-keywords": STRS,
        "logger-other-methods": STRS,
        "flags": ListOf(
            Table(
                {
                    "rule": STR,
                    "target": STR,
                    "keyword": STR,
                    "value": OneOf(BOOL, STR, INT),
                    "categories": STRS,
                    "message": STR,
                },
                required=("rule", "target", "keyword"),
            )
        ),
        "exceptions": Table(
            {
                "skip-keywords": STRS,
                "echoed": STRS,
                "echoed-still-reported": STRS,
                "message-keywords": STRS,
                "handler-answers": STRS,
                "responses": STRS,
                "status-responses": STRS,
                "status-keywords": STRS,
                "status-attributes": STRS,
                "answer-names": MapOf(INT),
                "error-handler-registrations": STRS,
                "error-handler-decorators": STRS,
                "error-handler-methods": STRS,
                "validation-hooks": ListOf(
                    Table(
                        {"bases": STRS, "methods": STRS, "exceptions": STRS},
                        required=("bases", "methods", "exceptions"),
                    )
                ),
            }
        ),
        #: command-line commands: what their operator typed, and where they answer (checks/exposure.py)
        "commands": Table(
            {
                "decorator-modules": STRS,
                "parameter-defaults": STRS,
                "command-bases": STRS,
                "command-base-names": STRS,
                "entry-methods": STRS,
                "handler-registrations": STRS,
                "options-parameters": STRS,
                "namespace-methods": STRS,
                "errors": STRS,
            }
        ),
    }
)
