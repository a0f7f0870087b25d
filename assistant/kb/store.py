"""The knowledge store at run time: the compiled SQLite file, cached by content hash, read into memory."""
from __future__ import annotations

import hashlib
import os
import sqlite3
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import KnowledgeCheckError
from assistant.kb.load import content_hash, default_knowledge_dir, load_valid
from assistant.kb.models import Caveat, Entity, Fact, IntentRule, Source
from assistant.kb.normal import Normaliser
from assistant.kb.settings import AnswerSettings, FrameWords


def cache_dir() -> Path:
    """$TRIAL_ASSISTANT_CACHE, else $XDG_CACHE_HOME/trial-assistant, else ~/.cache/trial-assistant."""
    if os.environ.get("TRIAL_ASSISTANT_CACHE"):
        return Path(os.environ["TRIAL_ASSISTANT_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "trial-assistant"


@dataclass
class Store:
    """All knowledge in memory, with the indexes the matcher and resolver use."""

    hash: str
    sources: dict[str, Source]
    facts: dict[str, Fact]
    caveats: dict[str, Caveat]
    entities: dict[str, Entity]
    intents: dict[str, IntentRule]
    lexicon: dict[str, list[str]]  # normalised phrase -> entity ids
    generic: frozenset[str]  # phrases that do not tie a question to the trial
    case_sensitive: dict[str, list[str]]  # phrase as written -> entity ids
    misspelt: frozenset[str] = frozenset()  # phrases listed as misspellings ('survivel')
    # one-word misspelling -> Vocabulary.correction of it, worked out when built, and the word list's size then
    corrections: dict[str, str] = field(default_factory=dict)
    corrections_size: int = -1
    frame: FrameWords = field(default_factory=FrameWords)
    answers: AnswerSettings = None  # type: ignore[assignment]  # always set by read()
    path: str = ":memory:"
    caveats_by_fact: dict[str, list[str]] = field(default_factory=dict)
    values: frozenset[str] = frozenset()
    by_measure: dict[str, list[Fact]] = field(default_factory=dict)
    expansions: dict[str, dict[str, float]] = field(default_factory=dict)  # entity -> resolver.expand of it, when asked
    resolutions: dict = field(default_factory=dict)  # (slots, stats) -> resolver.resolve of them, when asked
    normalise: Normaliser = field(init=False)
    survival: frozenset[str] = field(init=False)  # answers.toml roles.survival, as a set for the resolver
    words: frozenset[str] = field(init=False)  # every word of a lexicon phrase
    proper_words: frozenset[str] = field(init=False)  # every word of a lexicon phrase not listed as a misspelling

    def __post_init__(self) -> None:
        self.normalise = Normaliser(self.frame.normalise)
        self.survival = frozenset(self.answers.roles.survival) if self.answers is not None else frozenset()
        self.words = frozenset(w for p in self.lexicon for w in p.split(" "))
        self.proper_words = frozenset(w for p in self.lexicon if p not in self.misspelt for w in p.split(" "))
        for c in self.caveats.values():
            for fid in c.facts:
                self.caveats_by_fact.setdefault(fid, []).append(c.id)
        for f in self.facts.values():
            for m in f.measure:
                self.by_measure.setdefault(m, []).append(f)
        self.values = frozenset(v.value.replace("·", ".") for f in self.facts.values() for v in f.values)

    @property
    def paper(self) -> Source:
        return next(s for s in self.sources.values() if s.kind == "paper")

    def counts(self) -> dict[str, int]:
        return {"facts": len(self.facts), "caveats": len(self.caveats), "entities": len(self.entities),
                "phrases": len(self.lexicon) + len(self.case_sensitive), "intents": len(self.intents)}


DIGESTED = (("facts", ("id", "record"), "id"), ("caveats", ("id", "record"), "id"),
            ("entities", ("id", "record"), "id"), ("intents", ("id", "record"), "id"),
            ("lexicon", ("phrase", "entity_id", "form"), "phrase, entity_id"),
            ("sources", ("id", "kind", "short", "[full]", "doi", "trial", "file"), "id"),
            ("settings", ("key", "value"), "key"), ("corrections", ("word", "fix"), "word"))


def rows_digest(conn: sqlite3.Connection) -> str:
    """SHA-256 of every row the store reads: written into the file when it is built and checked when it is
    opened, so a cache edited after the build (a figure changed in place) is rebuilt, never served. SQLite joins
    each table's rows (unit and record separators between fields and rows), so hashing costs a few ms."""
    h = hashlib.sha256()
    for table, columns, order in DIGESTED:
        row = " || char(31) || ".join(f"coalesce({c}, '')" for c in columns)
        joined = conn.execute(f"select group_concat(r, char(30)) from (select {row} as r from [{table}] "
                              f"order by {order})").fetchone()[0]
        h.update((joined or "").encode("utf-8", "surrogatepass") + b"\0")
    return h.hexdigest()


def read(conn: sqlite3.Connection, path: str = ":memory:") -> Store:
    """Read a compiled database; raises sqlite3.DatabaseError or KeyError/ValueError if incomplete, corrupt or
    changed since it was built."""
    meta = dict(conn.execute("select key, value from meta").fetchall())
    if meta.get("complete") != "yes" and path != ":memory:":
        raise ValueError("knowledge cache was not completely written")
    if meta.get("rows_digest") != rows_digest(conn):
        raise ValueError("knowledge cache does not match the digest written when it was built")

    def records(table: str, model):  # type: ignore[no-untyped-def]
        return {r[0]: model.model_validate_json(r[1]) for r in conn.execute(f"select id, record from [{table}]")}

    settings = dict(conn.execute("select key, value from settings").fetchall())
    lexicon: dict[str, list[str]] = {}
    case: dict[str, list[str]] = {}
    generic: set[str] = set()
    misspelt: set[str] = set()
    for phrase, eid, form in conn.execute("select phrase, entity_id, form from lexicon order by phrase, entity_id"):
        (case if form == "case_sensitive" else lexicon).setdefault(phrase, []).append(eid)
        if form == "generic":
            generic.add(phrase)
        elif form == "misspellings":
            misspelt.add(phrase)
    return Store(
        hash=meta["content_hash"],
        sources={r[0]: Source(id=r[0], kind=r[1], short=r[2], full=r[3], doi=r[4], trial=r[5], file=r[6])
                 for r in conn.execute("select id, kind, short, [full], doi, trial, file from sources")},
        facts=records("facts", Fact), caveats=records("caveats", Caveat), entities=records("entities", Entity),
        intents=records("intents", IntentRule), lexicon=lexicon, generic=frozenset(generic), misspelt=frozenset(misspelt),
        case_sensitive=case, path=path,
        corrections=dict(conn.execute("select word, fix from corrections order by word").fetchall()),
        corrections_size=int(settings.get("vocabulary_file_size", -1)),
        frame=FrameWords.model_validate_json(settings["frame"]),
        answers=AnswerSettings.model_validate_json(settings["answers"]),
    )


def open_store(knowledge: Path | str | None = None, cache: Path | str | None = None) -> Store:
    """Open the compiled knowledge, building it (validated) when the cache is missing, stale or corrupt.

    A cache directory that cannot be written falls back to an in-memory build with one warning.
    Raises KnowledgeCheckError when the knowledge itself is invalid.
    """
    root = Path(knowledge) if knowledge else default_knowledge_dir()
    digest = content_hash(root)
    target = Path(cache or cache_dir()) / f"kb-{digest[:20]}.sqlite"
    if target.is_file():
        try:
            conn = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
            try:
                store = read(conn, str(target))
            finally:
                conn.close()
            if store.hash == digest:
                return store
        except (sqlite3.DatabaseError, KeyError, ValueError):
            pass  # corrupt or half-written: rebuild below
    from assistant.kb.build import build, compile_into, sqlite_utils_module  # slow to import: only when building

    kn = load_valid(root)
    try:
        build(kn, target)
        conn = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
        try:
            return read(conn, str(target))
        finally:
            conn.close()
    except OSError as e:
        warnings.warn(f"knowledge cache not writable ({e}); using an in-memory copy", RuntimeWarning, stacklevel=2)
    db = sqlite_utils_module().Database(memory=True)
    compile_into(kn, db)
    return read(db.conn)


__all__ = ["Store", "open_store", "cache_dir", "KnowledgeCheckError"]
