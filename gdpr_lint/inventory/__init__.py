"""The personal-data inventory and the reviewed data map (`gdpr-lint inventory`, GDPR004).

Built only from the observations the one walk per file records (model.Observation), so
`check` and `inventory` share a parse and a cache entry per file. `entries` turns them
into entries keyed by meaning (no line numbers); `render` writes the inventory as
markdown (a draft of the Art. 30 record), JSON or CSV; `datamap` writes, reads and
compares the committed map.
"""
