"""The knowledge store (the bottom layer): typed records, loading and validation of `knowledge/`, the
deterministic SQLite build, the run-time store, and the normal form lexicon names and questions share.

Imports nothing above it. Modules: `models` (pydantic records of knowledge and answers), `load` (read and
validate the TOML, every error with file, id and field), `build` (compile to SQLite with sqlite-utils),
`store` (the compiled file, cached by content hash, read into memory), `normal` (the normal form).
"""
