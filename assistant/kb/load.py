"""Load the authored knowledge directory (TOML) into validated records, collecting every error."""
from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from pydantic import BaseModel, ValidationError

from assistant.errors import KnowledgeCheckError, KnowledgeError
from assistant.kb.models import FACT_SLOTS, SLOTS, Caveat, Entity, Fact, IntentRule, Source, numbers_in
from assistant.kb.normal import Normaliser
from assistant.kb.settings import AnswerSettings, FrameWords

SCHEMA_VERSION = "7"  # 6: the corrections table; 7: short words may miss a letter
EXEMPT_PHRASES = ("95% CI",)  # format tokens whose digits are not figures
_WS = re.compile(r"\s+")


def default_knowledge_dir() -> Path:
    """The packaged knowledge (inside the wheel) or, in a source checkout, the repository's knowledge/."""
    here = Path(__file__).resolve().parent.parent  # the assistant package
    packaged = here / "_knowledge"
    return packaged if packaged.is_dir() else here.parent / "knowledge"


LAYOUT = ("sources.toml", "intents.toml", "frame.toml", "facts", "lexicon")  # what makes a knowledge directory


def checkout_knowledge(start: Path | str | None = None) -> Path | None:
    """The `knowledge/` of a checkout this directory is in (here or above), or None. Authoring commands
    (kb, eval, replay, bench) read it rather than the installed copy, so an edit is checked where it is made."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "knowledge"
        if all((candidate / part).exists() for part in LAYOUT):
            return candidate
    return None


def authoring_knowledge(given: Path | str | None = None) -> Path:
    """For authoring commands: the directory given, else a checkout's knowledge/, else the packaged one."""
    if given:
        return Path(given)
    return checkout_knowledge() or default_knowledge_dir()


def squash(text: str) -> str:
    return _WS.sub(" ", text).strip()


def knowledge_files(root: Path) -> list[Path]:
    """Every authored file, in a stable order."""
    files = [p for p in root.rglob("*") if p.is_file() and p.suffix in {".toml", ".txt"}]
    return sorted(files, key=lambda p: p.relative_to(root).as_posix())


def content_hash(root: Path) -> str:
    """Hash of every knowledge file's path and bytes plus the schema version (the cache key)."""
    h = hashlib.sha256(f"schema {SCHEMA_VERSION}\n".encode())
    for p in knowledge_files(root):
        h.update(p.relative_to(root).as_posix().encode() + b"\0")
        h.update(p.read_bytes() + b"\0")
    return h.hexdigest()


@dataclass
class Knowledge:
    """Everything authored, validated; `origin` maps a record id to its file."""

    root: Path
    sources: dict[str, Source] = field(default_factory=dict)
    facts: dict[str, Fact] = field(default_factory=dict)
    caveats: dict[str, Caveat] = field(default_factory=dict)
    entities: dict[str, Entity] = field(default_factory=dict)
    intents: dict[str, IntentRule] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    frame: FrameWords = field(default_factory=FrameWords)
    answers: AnswerSettings | None = None
    origin: dict[str, str] = field(default_factory=dict)


def _read_toml(path: Path, root: Path, errors: list[KnowledgeError]) -> dict[str, Any]:
    rel = path.relative_to(root).as_posix()
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as e:
        errors.append(KnowledgeError(rel, "", "", f"not UTF-8 text ({e.reason} at byte {e.start})"))
    except tomllib.TOMLDecodeError as e:
        errors.append(KnowledgeError(rel, "", "", f"not valid TOML: {e}"))
    return {}


def _records(model: type[BaseModel], rows: Any, rel: str, key: str, errors: list[KnowledgeError]) -> Iterable[Any]:
    if rows is None:
        return
    if not isinstance(rows, list):
        errors.append(KnowledgeError(rel, "", key, f"expected a list of [[{key}]] tables"))
        return
    for i, row in enumerate(rows):
        rid = str(row.get("id", f"#{i + 1}")) if isinstance(row, dict) else f"#{i + 1}"
        try:
            yield model.model_validate(row)
        except ValidationError as e:
            for err in e.errors():
                loc = ".".join(str(x) for x in err["loc"]) or "-"
                errors.append(KnowledgeError(rel, rid, loc, err["msg"]))


def _collect(kn: Knowledge, store: dict[str, Any], items: Iterable[Any], rel: str, what: str,
             errors: list[KnowledgeError]) -> None:
    for item in items:
        if item.id in store:
            errors.append(KnowledgeError(rel, item.id, "id",
                                         f"duplicate {what} id (first in {kn.origin.get(what + ':' + item.id)})"))
            continue
        store[item.id] = item
        kn.origin[f"{what}:{item.id}"] = rel


def _settings(root: Path, name: str, model: type[BaseModel], errors: list[KnowledgeError]) -> Any:
    """One settings file (frame.toml, answers.toml) validated as a whole; None when missing or invalid."""
    path = root / name
    if not path.is_file():
        errors.append(KnowledgeError(name, "", "", "file missing"))
        return None
    try:
        return model.model_validate(_read_toml(path, root, errors))
    except ValidationError as e:
        for err in e.errors():
            loc = ".".join(str(x) for x in err["loc"]) or "-"
            errors.append(KnowledgeError(name, str(err["loc"][0]) if err["loc"] else "", loc, err["msg"]))
    return None


def load(root: Path | str | None = None) -> tuple[Knowledge, list[KnowledgeError]]:
    """Read and validate a knowledge directory; returns the knowledge and every error found."""
    root = Path(root) if root else default_knowledge_dir()
    kn = Knowledge(root=root)
    errors: list[KnowledgeError] = []
    if not root.is_dir():
        return kn, [KnowledgeError(str(root), "", "", "knowledge directory not found")]
    layout = [
        ("sources.toml", "source", Source, kn.sources),
        ("caveats.toml", "caveat", Caveat, kn.caveats),
        ("intents.toml", "intent", IntentRule, kn.intents),
    ]
    for name, key, model, store in layout:
        path = root / name
        if not path.is_file():
            errors.append(KnowledgeError(name, "", "", "file missing"))
            continue
        _collect(kn, store, _records(model, _read_toml(path, root, errors).get(key), name, key, errors),
                 name, key, errors)
    frame = _settings(root, "frame.toml", FrameWords, errors)
    kn.frame = frame if frame is not None else FrameWords()
    kn.answers = _settings(root, "answers.toml", AnswerSettings, errors)
    for folder, key, model, store in (("facts", "fact", Fact, kn.facts), ("lexicon", "entity", Entity, kn.entities)):
        paths = sorted((root / folder).glob("*.toml"))
        if not paths:
            errors.append(KnowledgeError(folder + "/", "", "", "no .toml files"))
        for path in paths:
            rel = path.relative_to(root).as_posix()
            data = _read_toml(path, root, errors)
            unknown = set(data) - {key}
            if unknown:
                errors.append(KnowledgeError(rel, "", ",".join(sorted(unknown)), f"unknown table; expected [[{key}]]"))
            _collect(kn, store, _records(model, data.get(key), rel, key, errors), rel, key, errors)
    for src in kn.sources.values():
        if src.file:
            path = root / src.file
            try:
                kn.texts[src.id] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as e:
                errors.append(KnowledgeError("sources.toml", src.id, "file", f"cannot read {src.file}: {e}"))
    errors.extend(validate(kn))
    return kn, errors


def load_valid(root: Path | str | None = None) -> Knowledge:
    """Load, raising KnowledgeCheckError (listing every error) if anything is wrong."""
    kn, errors = load(root)
    if errors:
        raise KnowledgeCheckError(errors)
    return kn


def value_in_quote(value: str, quote: str) -> bool:
    """The value is written in the quote as a whole token (so '4' is not found inside '44.0')."""
    if any(c.isdigit() for c in value):
        return re.search(r"(?<![\d.·])" + re.escape(value) + r"(?![\d·]|\.\d)", quote) is not None
    return value.lower() in quote.lower()


def say_numbers(text: str) -> list[str]:
    for phrase in EXEMPT_PHRASES:
        text = text.replace(phrase, " ")
    return numbers_in(text)


def _check_fact(kn: Knowledge, f: Fact, rel: str, slot_ids: dict[str, set[str]]) -> Iterable[KnowledgeError]:
    src = kn.sources.get(f.source)
    text = kn.texts.get(f.source) if src else None
    if src is None:
        yield KnowledgeError(rel, f.id, "source", f"unknown source '{f.source}'")
    elif text is not None and squash(f.quote) not in squash(text):
        yield KnowledgeError(rel, f.id, "quote", "quote is not a verbatim passage of the source text")
    keys = [v.key for v in f.values]
    for i, v in enumerate(f.values):
        if not value_in_quote(v.value, f.quote):
            yield KnowledgeError(rel, f.id, f"values.{i}.value", f"'{v.value}' is not written in the quote")
        if keys.count(v.key) > 1:
            yield KnowledgeError(rel, f.id, f"values.{i}.name", f"two values named '{v.key}'; give each a name")
    written = {v.value.replace("·", ".") for v in f.values}
    for n in say_numbers(f.say):
        if n not in written:
            yield KnowledgeError(rel, f.id, "say", f"number {n} in say is not one of the fact's values")
    if f.main and f.value(f.main) is None:
        yield KnowledgeError(rel, f.id, "main", f"no value named '{f.main}'")
    if len(f.examples) < 3:
        yield KnowledgeError(rel, f.id, "examples", f"needs at least 3 example questions, has {len(f.examples)}")
    for slot in FACT_SLOTS:
        for eid in f.slot(slot):
            if eid not in slot_ids.get(slot, set()):
                yield KnowledgeError(rel, f.id, slot, f"unknown {slot} entity '{eid}' (define it in lexicon/)")


def _check_entity_links(kn: Knowledge, e: Entity, rel: str) -> Iterator[KnowledgeError]:
    """An entity's links name entities of the right slot."""
    for x in e.expands:
        if x not in kn.entities:
            yield KnowledgeError(rel, e.id, "expands", f"unknown entity '{x}'")
    for x in e.within:
        if x not in kn.entities or kn.entities[x].slot != e.slot:
            yield KnowledgeError(rel, e.id, "within", f"'{x}' is not a {e.slot} entity")
    for x in e.implies:
        if x not in kn.entities or kn.entities[x].slot != "measure":
            yield KnowledgeError(rel, e.id, "implies", f"'{x}' is not a measure entity")
    for x in e.absorbs:
        if x not in kn.entities or kn.entities[x].slot != "measure":
            yield KnowledgeError(rel, e.id, "absorbs", f"'{x}' is not a measure entity")
    for x in e.strict:
        if x not in FACT_SLOTS:
            yield KnowledgeError(rel, e.id, "strict", f"'{x}' is not a fact slot")
    if e.opposite and (e.opposite not in kn.entities or kn.entities[e.opposite].slot != e.slot):
        yield KnowledgeError(rel, e.id, "opposite", f"'{e.opposite}' is not a {e.slot} entity")
    if e.slot == "unreported" and not e.holds:
        yield KnowledgeError(rel, e.id, "holds", "unreported entity needs 'holds'")


def validate(kn: Knowledge) -> list[KnowledgeError]:
    """Cross-record integrity checks (quotes, values, entities, links)."""
    errors: list[KnowledgeError] = []
    slot_ids: dict[str, set[str]] = {}
    for e in kn.entities.values():
        slot_ids.setdefault(e.slot, set()).add(e.id)
    for f in kn.facts.values():
        errors.extend(_check_fact(kn, f, kn.origin[f"fact:{f.id}"], slot_ids))
        if f.counted_by and f.counted_by not in kn.facts:
            errors.append(KnowledgeError(kn.origin[f"fact:{f.id}"], f.id, "counted_by", f"unknown fact '{f.counted_by}'"))
    for c in kn.caveats.values():
        rel = kn.origin[f"caveat:{c.id}"]
        values: set[str] = set()
        for fid in c.facts:
            fact = kn.facts.get(fid)
            if fact is None:
                errors.append(KnowledgeError(rel, c.id, "facts", f"unknown fact '{fid}'"))
            else:
                values |= {v.value.replace("·", ".") for v in fact.values}
        for i, q in enumerate(c.quotes):
            if not any(squash(q) in squash(t) for t in kn.texts.values()):
                errors.append(KnowledgeError(rel, c.id, f"quotes.{i}", "quote is not a verbatim passage of the source"))
        for n in say_numbers(c.say):
            if n not in values:
                errors.append(KnowledgeError(rel, c.id, "say", f"number {n} is not a value of the linked facts"))
    seen: dict[str, str] = {}
    normalise = Normaliser(kn.frame.normalise)
    for e in kn.entities.values():
        rel = kn.origin[f"entity:{e.id}"]
        for name in e.all_names():
            key = normalise(name)
            if not key:
                errors.append(KnowledgeError(rel, e.id, "names", f"'{name}' is empty after normalising"))
            elif seen.get(key, e.id) != e.id:
                errors.append(KnowledgeError(rel, e.id, "names",
                                             f"'{name}' also names entity '{seen[key]}' (a name maps to one entity)"))
            else:
                seen[key] = e.id
        errors.extend(_check_entity_links(kn, e, rel))
    if kn.answers is not None:
        for where, eid in kn.answers.entity_ids():
            if eid not in kn.entities:
                errors.append(KnowledgeError("answers.toml", where.split(".")[0], where, f"unknown entity '{eid}'"))
        if kn.answers.roles.help_intent not in kn.intents:
            errors.append(KnowledgeError("answers.toml", "roles", "roles.help_intent",
                                         f"unknown intent '{kn.answers.roles.help_intent}'"))
    for key in ("trial_names", "medical_domains", "fresh_followup_out", "other_trials", "bare_cues", "not_people"):
        for i, eid in enumerate(getattr(kn.frame.decision, key)):
            if eid not in kn.entities:
                errors.append(KnowledgeError("frame.toml", "decision", f"{key}.{i}", f"unknown entity '{eid}'"))
    for i, eid in enumerate(kn.frame.tagger.own_age):
        if eid not in kn.entities or kn.entities[eid].slot != "group":
            errors.append(KnowledgeError("frame.toml", "tagger", f"own_age.{i}", f"'{eid}' is not a group entity"))
    for r in kn.intents.values():
        for spec in [*r.requires, *r.optional, *r.excludes, *(f"{k}:{'|'.join(v)}" for k, v in r.defaults.items())]:
            for alt in spec.split(","):
                slot, _, ids = alt.partition(":")
                if slot not in SLOTS:
                    errors.append(KnowledgeError("intents.toml", r.id, "requires", f"unknown slot '{slot}'"))
                for eid in filter(None, ids.split("|")):
                    if eid not in kn.entities:
                        errors.append(KnowledgeError("intents.toml", r.id, "requires", f"unknown entity '{eid}'"))
    return errors
