#!/usr/bin/python3
"""Golden classification reports and confusion matrices from scikit-learn.

Run: /usr/bin/python3 scripts/golden/evaluate_report.py > lib/evaluate/testdata/classification_report.json
(needs Debian python3-sklearn; records the sklearn version used).
"""
import json

import numpy as np
import sklearn
from sklearn.metrics import classification_report, confusion_matrix

rng = np.random.default_rng(7)
cases = []


def add(name, y_true, y_pred, names, digits=2):
    y_true, y_pred = list(map(int, y_true)), list(map(int, y_pred))
    labels = list(range(len(names)))
    cases.append({
        "name": name, "y_true": y_true, "y_pred": y_pred, "target_names": names, "digits": digits,
        "text": classification_report(y_true, y_pred, labels=labels, target_names=names, digits=digits, zero_division=0),
        "dict": classification_report(y_true, y_pred, labels=labels, target_names=names, output_dict=True, zero_division=0),
        "confusion": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
    })


# A balanced binary run like the seed's (label noise ~12%).
t = rng.integers(0, 2, 600)
add("binary_balanced", t, np.where(rng.random(600) < 0.12, 1 - t, t), ["negative", "positive"])
# Imbalanced, 4 digits.
t = (rng.random(257) < 0.2).astype(int)
add("binary_imbalanced_4_digits", t, np.where(rng.random(257) < 0.3, 1 - t, t), ["negative", "positive"], digits=4)
# A class never predicted: precision and F1 are 0 by zero_division.
add("never_predicts_positive", [0, 1, 1, 0, 1, 0, 0], [0] * 7, ["negative", "positive"])
# Three classes, long names, one absent from y_true.
t = rng.integers(0, 2, 50)
add("three_classes_one_absent", t, rng.integers(0, 3, 50), ["negative", "positive", "a rather long class name"], digits=3)
# Ties that exercise rounding (0.125, 0.375, ...).
add("rounding", [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1], [0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0],
    ["negative", "positive"], digits=2)
# Only one class occurs: sklearn prints "micro avg" instead of "accuracy".
add("one_class_occurs_micro_avg", [0, 0, 0, 0, 0], [0, 0, 0, 0, 0], ["negative", "positive"])

print(json.dumps({"sklearn_version": sklearn.__version__, "cases": cases}, indent=1))
