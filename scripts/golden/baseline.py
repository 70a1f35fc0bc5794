#!/usr/bin/python3
"""Golden values for lib/baseline: TfidfVectorizer(ngram_range=(1, 2)) + LogisticRegression.

Run with Debian's python3 (apt-get install -y python3-sklearn):
  /usr/bin/python3 scripts/golden/baseline.py            writes lib/baseline/testdata/golden.json
  /usr/bin/python3 scripts/golden/baseline.py TRAIN.jsonl TEST.jsonl
                                                          fits on TRAIN, prints accuracy, F1 and times on TEST as JSON
(JSONL rows {"label": 0|1, "text": ...}, e.g. from `polarity baseline --export-split DIR`).
"""
import json
import os
import random
import sys
import time

import numpy as np
import scipy
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "lib", "baseline", "testdata", "golden.json")
VERSIONS = {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__,
            "sklearn": sklearn.__version__}


def corpus(rng, n):
    """Review-like documents whose label leans on sentiment words, with label noise and shared words."""
    pos = ["great", "excellent", "love", "loved", "perfect", "recommend", "works great", "five stars",
           "happy", "Amazing", "best", "sturdy", "fast shipping", "GOOD"]
    neg = ["terrible", "awful", "broke", "waste of money", "returned", "poor", "disappointed", "worst",
           "not worth", "cheap", "junk", "Refund", "never again", "BAD"]
    common = ["the", "product", "battery", "book", "it", "is", "was", "and", "but", "I", "this", "very",
              "not", "don't", "price", "quality", "sound", "screen", "after", "a", "week", "2nd", "x2",
              "100%", "it's", "Café", "naïve", "ΟΔΟΣ", "İzmir", "snake_case", "日本語"]
    docs = []
    for _ in range(n):
        label = rng.randint(0, 1)
        own, other = (pos, neg) if label else (neg, pos)
        words = []
        for _ in range(rng.randint(2, 40)):
            pick = rng.random()
            if pick < 0.2:
                words.append(rng.choice(own))
            elif pick < 0.3:
                words.append(rng.choice(other))
            else:
                words.append(rng.choice(common))
            if rng.random() < 0.1:
                words[-1] += rng.choice([".", ",", "!", "?", "...", ")"])
        if rng.random() < 0.08:
            label = 1 - label
        docs.append([label, " ".join(words)])
    return docs


def fit(train_texts, train_labels, **lr):
    vec = TfidfVectorizer(ngram_range=(1, 2))
    x = vec.fit_transform(train_texts)
    clf = LogisticRegression(**lr).fit(x, train_labels)
    return vec, clf


def golden():
    rng = random.Random(20261130)
    train = corpus(rng, 400)
    test = corpus(rng, 150) + [[0, ""], [1, "zzz qqq"], [0, "a b c"], [1, "GREAT great Great!"]]
    tr_texts, tr_labels = [t for _, t in train], [l for l, _ in train]
    te_texts, te_labels = [t for _, t in test], [l for l, _ in test]

    vec, clf = fit(tr_texts, tr_labels)  # sklearn's defaults: lbfgs, C=1, tol=1e-4, max_iter=100
    terms = vec.get_feature_names_out().tolist()
    xt = vec.transform(te_texts)
    xt.sort_indices()
    rows = [{"indices": xt.indices[xt.indptr[i]:xt.indptr[i + 1]].tolist(),
             "values": xt.data[xt.indptr[i]:xt.indptr[i + 1]].tolist()} for i in range(xt.shape[0])]
    # The exact optimum of the same objective: Newton steps to a tolerance far below lbfgs's default.
    _, exact = fit(tr_texts, tr_labels, solver="newton-cholesky", tol=1e-12, max_iter=1000)
    pred = clf.predict(xt)
    out = {
        "versions": VERSIONS,
        "train": train, "test": test,
        "terms": terms, "idf": vec.idf_.tolist(), "test_tfidf": rows,
        "lbfgs": {"coef": clf.coef_[0].tolist(), "intercept": float(clf.intercept_[0]), "n_iter": int(clf.n_iter_[0]),
                  "proba": clf.predict_proba(xt)[:, 1].tolist(), "predict": pred.tolist()},
        "exact": {"coef": exact.coef_[0].tolist(), "intercept": float(exact.intercept_[0]),
                  "proba": exact.predict_proba(xt)[:, 1].tolist(), "predict": exact.predict(xt).tolist()},
        "accuracy": accuracy_score(te_labels, pred),
        "f1_macro": f1_score(te_labels, pred, average="macro"),
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT}: {len(terms)} terms, lbfgs n_iter {out['lbfgs']['n_iter']}, accuracy {out['accuracy']:.4f}")


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [r["text"] for r in rows], [int(r["label"]) for r in rows]


def compare(train_path, test_path):
    tr_texts, tr_labels = read_jsonl(train_path)
    te_texts, te_labels = read_jsonl(test_path)
    t0 = time.perf_counter(), time.process_time()
    vec, clf = fit(tr_texts, tr_labels)
    t1 = time.perf_counter(), time.process_time()
    pred = clf.predict(vec.transform(te_texts))
    t2 = time.perf_counter(), time.process_time()
    print(json.dumps({"versions": VERSIONS, "train_reviews": len(tr_texts), "test_reviews": len(te_texts),
                      "features": len(vec.vocabulary_), "n_iter": int(clf.n_iter_[0]),
                      "accuracy": accuracy_score(te_labels, pred), "f1_macro": f1_score(te_labels, pred, average="macro"),
                      "train_seconds": t1[0] - t0[0], "train_cpu_seconds": t1[1] - t0[1],
                      "eval_seconds": t2[0] - t1[0], "eval_cpu_seconds": t2[1] - t1[1]}))


if __name__ == "__main__":
    if len(sys.argv) == 3:
        compare(sys.argv[1], sys.argv[2])
    else:
        golden()
