"""Answering (above `understand`): decide the status from the words, let the dialogue context fill what the
question leaves open, plan by intent kind, resolve slots to facts, and compose the cited answer.

Modules: `decide` (status from the word accounting), `context` (the explicit, serialisable dialogue context),
`planner` (slots + context, then one strategy per intent kind from `strategies`), `plan` (the Plan record),
`resolver` (slots -> facts), `compose` and `merge` (text, citations, caveats; compound answers joined).
"""
