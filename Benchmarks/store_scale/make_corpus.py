#!/usr/bin/env python3
"""Writes N small text files made from SciFact abstracts (issue 9's store-scale corpus).

Each file holds one abstract's title and text, cycling through the corpus, plus one line with
a unique token (`uniq<N>`), in folders of 1,000 files. Reads ../shared/corpora/scifact; writes
only below OUT (never into the repository).

usage: make_corpus.py CORPUS_JSONL OUT N
"""
import json
import os
import sys


def main() -> None:
    corpus, out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    docs = [json.loads(line) for line in open(corpus, encoding="utf-8")]
    for index in range(count):
        doc = docs[index % len(docs)]
        folder = os.path.join(out, f"{index // 1000:04d}")
        if index % 1000 == 0:
            os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, f"doc{index:06d}.txt"), "w", encoding="utf-8") as handle:
            handle.write(f"{doc['title']}\n{doc['text']}\nuniq{index}\n")


if __name__ == "__main__":
    main()
