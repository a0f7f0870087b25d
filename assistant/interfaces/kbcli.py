"""`assistant kb check|build|stats`: validate, compile and describe the knowledge base."""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.epilog = "examples:\n  assistant kb check\n  assistant kb build --out kb.sqlite\n  assistant kb stats"
    sub = p.add_subparsers(dest="kb_command", metavar="ACTION", required=True)
    for name, help_ in (("check", "validate every file; list every error (exit 1 if any)"),
                        ("build", "compile the knowledge into SQLite"),
                        ("stats", "facts per topic, caveats, lexicon size")):
        q = sub.add_parser(name, help=help_, description=help_)
        q.add_argument("--knowledge", metavar="DIR", type=Path,
                       help="knowledge directory (default: the checkout's knowledge/ when run inside one, else the "
                            "installed copy)")
        if name == "build":
            q.add_argument("--out", metavar="PATH", type=Path, help="output file (default: the run-time cache)")


def run(args: argparse.Namespace) -> int:
    from assistant.kb import load as kb

    args.knowledge = kb.authoring_knowledge(args.knowledge)
    if args.kb_command == "check":
        kn, errors = kb.load(args.knowledge)
        for e in errors:
            print(e, file=sys.stderr)
        if errors:
            print(f"{len(errors)} error(s) in {kn.root}", file=sys.stderr)
            return 1
        print(f"ok: {len(kn.facts)} facts, {len(kn.caveats)} caveats, {len(kn.entities)} entities, "
              f"{len(kn.intents)} intents in {kn.root}")
        return 0
    if args.kb_command == "build":
        from assistant.kb.build import build
        from assistant.kb.store import open_store

        if args.out:
            out = build(kb.load_valid(args.knowledge), args.out)
        else:
            out = Path(open_store(args.knowledge).path)
        print(f"{out}  (from {args.knowledge})")
        return 0
    from assistant.kb.store import open_store

    store = open_store(args.knowledge)
    topics = Counter(f.topic for f in store.facts.values())
    slots = Counter(e.slot for e in store.entities.values())
    print(f"knowledge {store.hash[:12]} from {args.knowledge}  ({store.path})")
    print("facts per topic:")
    for topic, n in sorted(topics.items()):
        print(f"  {topic:<14}{n:>5}")
    print(f"  {'total':<14}{len(store.facts):>5}")
    print(f"caveats: {len(store.caveats)}")
    print(f"lexicon: {len(store.entities)} entities ({', '.join(f'{k} {v}' for k, v in sorted(slots.items()))}); "
          f"{len(store.lexicon) + len(store.case_sensitive)} phrases")
    print(f"intent rules: {len(store.intents)}")
    return 0
