"""Understanding a question (above `kb`): split a compound message, tag lexicon entities (exact, then typos with
rapidfuzz), account for every word, and score the intent rules.

Nothing here decides a status: `matcher.Match` and `account.Accounting` say what the question says and which
words were not understood; `assistant.answer.decide` turns that into a status. Modules: `compound`, `tagger`,
`vocabulary` (the English word list for words the lexicon lacks), `account`, `matcher`.
"""
