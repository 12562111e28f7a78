"""Rank fusion of several result lists (lexical, dense, ...)."""
from collections import defaultdict


def rrf_fuse(rankings, k=60, weights=None, top_k=10):
    """Reciprocal rank fusion.

    rankings: list of lists of doc ids, best first. Returns [(doc_id, score)], best first.
    """
    weights = weights or [1.0] * len(rankings)
    scores = defaultdict(float)
    best_rank = {}
    for w, ranking in zip(weights, rankings):
        for rank, doc_id in enumerate(ranking, start=1):
            scores[doc_id] += w / (k + rank)
            best_rank[doc_id] = min(rank, best_rank.get(doc_id, rank))
    order = sorted(scores, key=lambda d: (-scores[d], best_rank[d], d))
    return [(d, scores[d]) for d in order[:top_k]]


def linear_fuse(lexical, dense, alpha=0.5):
    """Min-max normalised weighted sum; alpha weights the dense scores."""
    def norm(xs):
        lo, hi = min(xs.values()), max(xs.values())
        return {d: (s - lo) / (hi - lo) if hi > lo else 1.0 for d, s in xs.items()}
    a, b = norm(lexical), norm(dense)
    return sorted(((d, (1 - alpha) * a.get(d, 0) + alpha * b.get(d, 0)) for d in a.keys() | b.keys()),
                  key=lambda x: (-x[1], x[0]))
