def precision(tp: int, fp: int) -> float:
    # Guard against division by zero: a label that is never predicted has tp + fp == 0.
    return tp / (tp + fp) if tp + fp else 0.0


def recall(tp: int, fn: int) -> float:
    return tp / (tp + fn) if tp + fn else 0.0


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def classification_report(y_true, y_pred, labels):
    out = {}
    for lab in labels:
        tp = sum(1 for t, p in zip(y_true, y_pred) if t == p == lab)
        fp = sum(1 for t, p in zip(y_true, y_pred) if p == lab and t != lab)
        fn = sum(1 for t, p in zip(y_true, y_pred) if t == lab and p != lab)
        pr, rc = precision(tp, fp), recall(tp, fn)
        out[lab] = {"precision": pr, "recall": rc, "f1": f1(pr, rc), "support": tp + fn}
    return out
