"""gdpr-lint: static analysis for GDPR-sensitive Python code."""

__version__ = "0.1.0"
