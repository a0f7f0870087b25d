"""Compile validated knowledge into SQLite (sqlite-utils): readable tables, an FTS5 index, deterministic."""
from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.kb.load import SCHEMA_VERSION, Knowledge, content_hash
from assistant.kb.store import rows_digest
from assistant.kb.normal import Normaliser

if TYPE_CHECKING:  # pragma: no cover
    import sqlite_utils


def sqlite_utils_module() -> Any:
    """sqlite-utils, imported without NumPy: it imports NumPy when installed (to store NumPy values, which the
    knowledge never has), and NumPy costs about 12 MB of memory and 30 ms. Not hidden if already imported."""
    if "sqlite_utils" in sys.modules or "numpy" in sys.modules:
        import sqlite_utils
        return sqlite_utils
    sys.modules["numpy"] = None  # type: ignore[assignment]  # 'import numpy' raises ImportError meanwhile
    try:
        import sqlite_utils
    finally:
        if "numpy" in sys.modules and sys.modules["numpy"] is None:
            del sys.modules["numpy"]
    return sqlite_utils


def _csv(items: list[str]) -> str:
    return ", ".join(items)


# Tables created before rows arrive (so an empty knowledge base still has them), with their foreign keys.
SCHEMA: list[tuple[str, dict[str, type], str | tuple[str, ...], list[tuple[str, str, str]]]] = [
    ("caveats", {"id": str, "severity": str, "say": str, "locator": str, "record": str}, "id", []),
    ("caveat_facts", {"caveat_id": str, "fact_id": str}, ("caveat_id", "fact_id"),
     [("caveat_id", "caveats", "id"), ("fact_id", "facts", "id")]),
    ("examples", {"fact_id": str, "position": int, "question": str}, ("fact_id", "position"),
     [("fact_id", "facts", "id")]),
    ("fact_values", {"fact_id": str, "position": int, "kind": str, "name": str, "value": str, "unit": str,
                     "number": float}, ("fact_id", "position"), [("fact_id", "facts", "id")]),
    ("intents", {"id": str, "kind": str, "description": str, "record": str}, "id", []),
]
FACT_COLUMNS = {"id": str, "topic": str, "stat": str, "measure": str, "group": str, "timepoint": str, "drug": str,
                "cycle": str, "label": str, "say": str, "quote": str, "locator": str, "source": str, "rank": int,
                "record": str}
SOURCE_COLUMNS = {"id": str, "kind": str, "short": str, "full": str, "doi": str, "trial": str, "file": str}
# Column descriptions for datasette (`datasette kb-....sqlite --metadata kb-....metadata.json`).
DESCRIPTIONS: dict[str, dict[str, str]] = {
    "facts": {"record": "the whole fact as validated JSON (what the assistant reads)",
              "measure": "lexicon entity ids, comma-separated", "rank": "higher is shown first when facts tie",
              "say": "the sentence the assistant answers with", "quote": "verbatim passage of the source"},
    "fact_values": {"kind": "what the number is (rate, median, ci_low, p, ...)", "value": "as the quote writes it",
                    "number": "the value as a number"},
    "entities": {"anchor": "strong: ties a question to the trial alone; weak: only with another cue; none: never",
                 "fuzzy": "1 when typos of its names are matched", "record": "the whole entity as validated JSON",
                 "expands": "an umbrella term: the entity ids it stands for"},
    "lexicon": {"phrase": "a name, normalised as questions are", "written": "the name as authored",
                "form": "names, abbreviations, lay, misspellings, generic or case_sensitive"},
    "caveats": {"record": "the whole caveat as validated JSON", "severity": "warning: said in the answer text"},
    "intents": {"record": "the whole intent rule as validated JSON"},
    "settings": {"value": "frame.toml or answers.toml as validated JSON (and the word list's size in bytes)"},
    "corrections": {"fix": "the word a lexicon misspelling is read as a typo of (Vocabulary.correction), '' if none"},
}


def _tables(db: sqlite_utils.Database) -> None:
    db["sources"].create(SOURCE_COLUMNS, pk="id", if_not_exists=True)
    db["facts"].create(FACT_COLUMNS, pk="id", foreign_keys=[("source", "sources", "id")], if_not_exists=True)
    for name, columns, pk, fks in SCHEMA:
        db[name].create(columns, pk=pk, foreign_keys=fks, if_not_exists=True)  # type: ignore[arg-type]


def _facts(db: sqlite_utils.Database, kn: Knowledge) -> None:
    db["sources"].insert_all((s.model_dump() for _, s in sorted(kn.sources.items())))
    facts = [kn.facts[k] for k in sorted(kn.facts)]
    db["facts"].insert_all({
        "id": f.id, "topic": f.topic, "stat": f.stat, "measure": _csv(f.measure), "group": _csv(f.group),
        "timepoint": _csv(f.timepoint), "drug": _csv(f.drug), "cycle": _csv(f.cycle), "label": f.label,
        "say": f.say, "quote": f.quote, "locator": f.locator, "source": f.source, "rank": f.rank,
        "record": f.model_dump_json(),
    } for f in facts)
    db["fact_values"].insert_all(
        {"fact_id": f.id, "position": i, "kind": v.kind, "name": v.key, "value": v.value, "unit": v.unit,
         "number": v.num} for f in facts for i, v in enumerate(f.values))
    db["examples"].insert_all(
        {"fact_id": f.id, "position": i, "question": q} for f in facts for i, q in enumerate(f.examples))
    caveats = [kn.caveats[k] for k in sorted(kn.caveats)]
    db["caveats"].insert_all(
        {"id": c.id, "severity": c.severity, "say": c.say, "locator": c.locator, "record": c.model_dump_json()}
        for c in caveats)
    db["caveat_facts"].insert_all({"caveat_id": c.id, "fact_id": fid} for c in caveats for fid in c.facts)


def _lexicon(db: sqlite_utils.Database, kn: Knowledge) -> set[str]:
    """The lexicon tables; returns the one-word misspellings (what the corrections table is built for)."""
    entities = [kn.entities[k] for k in sorted(kn.entities)]
    db["entities"].insert_all(
        ({"id": e.id, "slot": e.slot, "label": e.label, "anchor": e.anchor, "weight": e.weight, "fuzzy": e.fuzzy,
          "expands": _csv(e.expands), "holds": e.holds, "record": e.model_dump_json()} for e in entities), pk="id",
    )
    rows = {}
    normalise = Normaliser(kn.frame.normalise)
    for e in entities:
        for form in ("names", "abbreviations", "lay", "misspellings", "generic"):
            for name in getattr(e, form):
                rows[(normalise(name), e.id)] = {"phrase": normalise(name), "entity_id": e.id, "form": form,
                                                 "written": name}
        for name in e.case_sensitive:
            rows[(name, e.id)] = {"phrase": name, "entity_id": e.id, "form": "case_sensitive", "written": name}
    db["lexicon"].insert_all((rows[k] for k in sorted(rows)), pk=("phrase", "entity_id"),
                             foreign_keys=[("entity_id", "entities", "id")])
    db["frame_words"].insert_all(
        ({"word": w, "groups": _csv(sorted(g for g, ws in kn.frame.frame.items() if w in ws))}
         for w in sorted(kn.frame.words())), pk="word", columns={"word": str, "groups": str},
    )
    return {r["phrase"] for r in rows.values() if r["form"] == "misspellings" and " " not in r["phrase"]}


def corrections(kn: Knowledge, words: set[str]) -> tuple[dict[str, str], int]:
    """Vocabulary.correction of each word (the lexicon's one-word misspellings, which the word accounting corrects)
    and the word list's size; ({}, -1) when the word list is not installed (then corrections are worked out when
    asked, as without a table)."""
    from assistant.errors import KnowledgeCheckError
    from assistant.kb.vocabulary import Vocabulary, data_file_size

    try:
        size = data_file_size(kn.frame.vocabulary)
    except KnowledgeCheckError:
        return {}, -1
    vocab = Vocabulary(kn.frame.vocabulary, kn.frame.words(), lean=True)
    return {w: vocab.search(w) for w in sorted(words)}, size


def _corrections(db: sqlite_utils.Database, kn: Knowledge, words: set[str]) -> int:
    """The corrections table; returns the word list's size (a setting the store checks before using it)."""
    table, size = corrections(kn, words)
    db["corrections"].create({"word": str, "fix": str}, pk="word", if_not_exists=True)
    db["corrections"].insert_all({"word": w, "fix": f} for w, f in table.items())
    return size


def compile_into(kn: Knowledge, db: sqlite_utils.Database) -> None:
    """Write every table; rows go in sorted order so the same input gives the same file."""
    _tables(db)
    db["meta"].insert_all(
        [{"key": "schema", "value": SCHEMA_VERSION}, {"key": "content_hash", "value": content_hash(kn.root)}],
        pk="key",
    )
    _facts(db, kn)
    size = _corrections(db, kn, _lexicon(db, kn))
    db["intents"].insert_all(
        {"id": r.id, "kind": r.kind, "description": r.description, "record": r.model_dump_json()}
        for _, r in sorted(kn.intents.items()))
    settings = [{"key": "frame", "value": kn.frame.model_dump_json()},
                {"key": "vocabulary_file_size", "value": str(size)}]
    if kn.answers is not None:
        settings.append({"key": "answers", "value": kn.answers.model_dump_json()})
    db["settings"].insert_all(settings, pk="key")
    db["facts"].enable_fts(["label", "say", "quote"], tokenize="porter")
    db["meta"].insert({"key": "rows_digest", "value": rows_digest(db.conn)})


def metadata(database: str) -> dict[str, object]:
    """datasette metadata: a title, the source, and descriptions of the columns that need one."""
    return {"title": "trial-assistant knowledge base",
            "description": "Facts, caveats, lexicon and intent rules compiled from knowledge/ (NCT01371630).",
            "databases": {database: {"tables": {t: {"columns": cols} for t, cols in DESCRIPTIONS.items()}}}}


def build(kn: Knowledge, out: Path | str) -> Path:
    """Compile to a file atomically (write a temporary file, then rename)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=out.name + ".", suffix=".tmp", dir=out.parent)
    os.close(fd)
    try:
        os.unlink(tmp)
        db = sqlite_utils_module().Database(tmp)
        compile_into(kn, db)
        db["meta"].insert({"key": "complete", "value": "yes"})
        db.conn.commit()
        db.close()
        os.replace(tmp, out)
        meta = out.with_suffix(".metadata.json")
        meta.write_text(json.dumps(metadata(out.stem), indent=2) + "\n", encoding="utf-8")
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out


def dump(db: sqlite_utils.Database) -> str:
    """A text dump of every row (to compare builds)."""
    return json.dumps({t: list(db[t].rows) for t in sorted(db.table_names()) if "_fts" not in t},
                      sort_keys=True, default=str)
