"""Developer tools (the top layer, beside `interfaces`): accuracy evaluation on labelled question sets
(`evaluate`), the speed and memory benchmark against baselines in the same run (`bench`), and the HTTP load test
(`loadtest`). Nothing in the answering pipeline imports them.
"""
