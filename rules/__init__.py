"""Knowledge packs (TOML). This file only makes the folder installable as package data."""
