"""Inline suppressions: parsing with tokenize, and the hygiene rules GDPR002/GDPR003."""

from __future__ import annotations

import textwrap

from ciflow_support import NON_EU_REGION, PII_IN_LOG, finding, load_rules
from gdpr_lint.suppressions import apply_suppressions, parse_suppressions, skipped_file_hygiene

RULES = load_rules()
NAMES = {rule.name: code for code, rule in RULES.items()}


def resolve(text: str):
    if text in RULES:
        return text
    return NAMES.get(text)


def parse(code: str):
    return parse_suppressions(textwrap.dedent(code))


def test_parses_codes_names_and_justification():
    supps = parse("""
        import logging
        logger.info(user.email)  # gdpr-lint: ignore[GDPR101, pii-in-log] -- consented audit log
        print(x)  # noqa: T201  # gdpr-lint: ignore
        log(y)  #gdpr-lint:ignore[gdpr201]--reason without spaces
    """)
    (first,) = supps.by_line[3]
    assert first.codes == ("GDPR101", "pii-in-log")
    assert first.justification == "consented audit log" and first.justified
    assert first.column == 26
    (bare,) = supps.by_line[4]
    assert bare.codes is None and not bare.justified
    (compact,) = supps.by_line[5]
    assert compact.codes == ("GDPR201",) and compact.justification == "reason without spaces"


def test_text_in_strings_and_lookalike_comments_does_not_count():
    supps = parse('''
        HELP = "add # gdpr-lint: ignore to silence"
        doc = """
        # gdpr-lint: skip-file
        """
        x = 1  # see the gdpr-lint: ignore docs
        y = 2  # gdpr-lint: ignored-by-nobody
    ''')
    assert supps.by_line == {} and supps.skip_file is None and supps.misplaced_skip_file == []


def test_text_after_directive_without_separator_is_no_justification():
    supps = parse("f(user.email)  # gdpr-lint: ignore[GDPR101] because we must\n")
    assert supps.by_line[1][0].justification == ""


def test_lines_are_numbered_as_python_numbers_them():
    """A lone CR ends a line for Python (and so for the findings), but tokenize was fed
    LF-split lines: in a file with CR line ends every suppression sat on line 1, so none
    applied and each was reported unused."""
    for newline in ("\r", "\r\n", "\n"):
        source = newline.join(
            ["import logging", "def f(email):", "    logging.info(email)  # gdpr-lint: ignore[GDPR101] -- audit", ""]
        )
        supps = parse_suppressions(source)
        assert list(supps.by_line) == [3], repr(newline)
        assert supps.by_line[3][0].column == 26


def test_skip_file_only_in_the_first_comment_block():
    header = parse("""\
        #!/usr/bin/env python
        # -*- coding: utf-8 -*-

        # gdpr-lint: skip-file -- generated client, regenerated from openapi.yaml
        import os
    """)
    assert header.skip_file is not None and header.skip_file.justification.startswith("generated client")
    late = parse('''\
        """Module docstring."""
        # gdpr-lint: skip-file
        import os
    ''')
    assert late.skip_file is None and len(late.misplaced_skip_file) == 1


def test_directives_before_a_syntax_error_are_kept():
    supps = parse_suppressions('x = 1  # gdpr-lint: ignore[GDPR101]\ns = """never closed\n')
    assert 1 in supps.by_line


def apply(code, located, **options):
    return apply_suppressions(located, parse(code), path="app/views.py", resolve=resolve, rules=RULES, **options)


LEAK_LINE2 = finding(
    PII_IN_LOG, "app/views.py", 2, 5, 40, "email address is written to a log", source="logger.info(user.email)"
)


def test_multiline_statement_any_line_may_carry_the_comment():
    code = """
        logger.info(
            "signup %s",
            user.email,  # gdpr-lint: ignore[pii-in-log] -- consent record
        )
    """
    outcome = apply(code, [(LEAK_LINE2, 2, 5)])
    assert outcome.suppressed == [LEAK_LINE2] and outcome.kept == [] and outcome.hygiene == []


def test_comment_on_another_statement_does_not_suppress():
    code = """
        logger.info(user.email)
        x = 1  # gdpr-lint: ignore
    """
    outcome = apply(code, [(LEAK_LINE2, 2, 2)])
    assert outcome.kept == [LEAK_LINE2]
    (unused,) = outcome.hygiene
    assert (unused.rule, unused.line, unused.name) == ("GDPR003", 3, "unused-suppression")
    assert unused.fingerprint and unused.source == "# gdpr-lint: ignore"


def test_unused_and_unknown_codes_are_reported():
    code = """
        logger.info(user.email)  # gdpr-lint: ignore[GDPR101, GDPR201, GDPR999] -- audit
    """
    outcome = apply(code, [(LEAK_LINE2, 2, 2)])
    assert outcome.suppressed == [LEAK_LINE2]
    (unused,) = outcome.hygiene
    assert "unknown rule GDPR999" in unused.message and "unused suppression of GDPR201" in unused.message


def test_disabled_rules_are_not_called_unused():
    code = """
        logger.info(user.email)  # gdpr-lint: ignore[GDPR101, GDPR201] -- audit
    """
    outcome = apply(code, [(LEAK_LINE2, 2, 2)], enabled={"GDPR101", "GDPR003"})
    assert outcome.hygiene == []
    outcome = apply(code, [], enabled={"GDPR101"})  # GDPR003 itself disabled
    assert outcome.hygiene == []


def test_require_justification():
    code = """
        logger.info(user.email)  # gdpr-lint: ignore[GDPR101]
    """
    assert apply(code, [(LEAK_LINE2, 2, 2)]).hygiene == []
    outcome = apply(code, [(LEAK_LINE2, 2, 2)], require_justification=True)
    assert outcome.suppressed == [LEAK_LINE2]
    (missing,) = outcome.hygiene
    assert missing.rule == "GDPR002" and missing.line == 2 and "-- <reason>" in missing.message
    assert [f.rule for f in apply(code, [], require_justification=True).hygiene] == ["GDPR002", "GDPR003"]
    justified = code.replace("]", "] -- consent audit trail")
    assert apply(justified, [(LEAK_LINE2, 2, 2)], require_justification=True).hygiene == []


def test_non_suppressible_rules_are_reported_with_the_refusal():
    code = """
        logger.info(user.email)  # gdpr-lint: ignore[GDPR101] -- we promise
    """
    outcome = apply(code, [(LEAK_LINE2, 2, 2)], non_suppressible=["pii-in-log"])
    (refused,) = outcome.kept
    assert outcome.suppressed == [] and outcome.hygiene == []  # refused is not "unused"
    assert "inline suppression refused" in refused.message and refused.facts["suppression_refused"] is True
    assert refused.fingerprint == LEAK_LINE2.fingerprint
    by_prefix = apply(code, [(LEAK_LINE2, 2, 2)], non_suppressible=["GDPR1"])
    assert by_prefix.suppressed == [] and len(by_prefix.kept) == 1
    other_family = apply(code, [(LEAK_LINE2, 2, 2)], non_suppressible=["GDPR2", "non-eu-region"])
    assert other_family.suppressed == [LEAK_LINE2]


def test_meta_findings_cannot_be_suppressed_inline():
    from gdpr_lint.model import Finding

    parse_error = Finding(
        rule="GDPR001",
        name="file-not-parsed",
        severity="error",
        path="app/views.py",
        line=2,
        column=1,
        end_line=2,
        end_column=2,
        message="invalid syntax",
    )
    outcome = apply("\nbroken(  # gdpr-lint: ignore\n", [(parse_error, 2, 2)])
    assert outcome.kept == [parse_error]


def test_misplaced_skip_file_is_reported():
    outcome = apply(
        """
        import os
        # gdpr-lint: skip-file
    """,
        [],
    )
    (unused,) = outcome.hygiene
    assert unused.rule == "GDPR003" and "first comment block" in unused.message


def test_skipped_file_needs_a_reason_when_required():
    supps = parse("# gdpr-lint: skip-file\nimport os\n")
    assert skipped_file_hygiene(supps, path="gen.py") == []
    (missing,) = skipped_file_hygiene(supps, path="gen.py", require_justification=True)
    assert missing.rule == "GDPR002" and missing.line == 1


def test_region_rule_suppressed_by_name():
    region = finding(NON_EU_REGION, "app/views.py", 2, 1, 20, "us-east-1", source='boto3.client("s3")')
    outcome = apply(
        """
        s3 = boto3.client("s3", region_name="us-east-1")  # gdpr-lint: ignore[non-eu-region] -- relay, stores nothing
    """,
        [(region, 2, 2), (LEAK_LINE2, 2, 2)],
    )
    assert outcome.suppressed == [region] and outcome.kept == [LEAK_LINE2]


def test_prose_that_quotes_the_syntax_is_no_suppression():
    supps = parse("""
        # To silence a finding, end its line with "# gdpr-lint: ignore[GDPR101] -- reason".
        # Example: `# gdpr-lint: ignore`
        x = 1  # see # gdpr-lint: ignore[GDPR101] in the README
        y = 2  # type: ignore[attr-defined]  # gdpr-lint: ignore[GDPR101]
        z = 3  # pylint: disable=W0511 # noqa: E501 # gdpr-lint: ignore
    """)
    assert sorted(supps.by_line) == [5, 6]


def test_a_suppression_above_the_statement_says_where_it_belongs():
    code = """
        # gdpr-lint: ignore[GDPR101] -- reviewed
        logger.info(user.email)
    """
    supps = parse(code)
    assert supps.by_line[2][0].own_line
    leak = finding(PII_IN_LOG, "app.py", 3, 1, 24, "email address (user.email) is written to a log")
    outcome = apply_suppressions([(leak, 3, 3)], supps, path="app.py", resolve=resolve, rules=RULES)
    assert outcome.kept == [leak]
    (hygiene,) = outcome.hygiene
    assert hygiene.rule == "GDPR003" and "put it on the statement's line" in hygiene.message
    on_line = parse("logger.info(user.email)  # gdpr-lint: ignore[GDPR101]\n")
    assert not on_line.by_line[1][0].own_line


def test_an_unknown_code_in_a_suppression_gets_a_hint():
    supps = parse("logger.info(user.email)  # gdpr-lint: ignore[GPDR101]\n")
    leak = finding(PII_IN_LOG, "app.py", 1, 1, 24, "email address (user.email) is written to a log")
    outcome = apply_suppressions([(leak, 1, 1)], supps, path="app.py", resolve=resolve, rules=RULES)
    (hygiene,) = outcome.hygiene
    assert 'unknown rule GPDR101 in suppression (did you mean "GDPR101"?)' in hygiene.message
