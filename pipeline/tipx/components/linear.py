"""A small logistic-regression model over feature dicts, trained with scikit-learn and saved as JSON.

The entity calibrator and the relation classifier are both "features -> class probabilities". They
are fitted with scikit-learn's ``LogisticRegression`` and stored as plain JSON (feature names,
coefficients, intercepts), so a saved pipeline holds no pickles and loads without scikit-learn.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np


def _rounded(values: np.ndarray) -> list:
    return np.vectorize(lambda x: float(f"{x:.6g}"), otypes=[float])(values).tolist() if values.size else values.tolist()


class LinearModel:
    def __init__(self, classes: Sequence[str], features: Sequence[str], coef: np.ndarray, intercept: np.ndarray):
        self.classes = list(classes)
        self.index = {f: i for i, f in enumerate(features)}
        self.coef = np.asarray(coef, dtype="float64")          # (n_classes or 1, n_features)
        self.intercept = np.asarray(intercept, dtype="float64")

    @classmethod
    def fit(cls, X: list[dict], y: list[str], C: float = 1.0, class_weight: str | None = None, seed: int = 0) -> "LinearModel":
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression

        if len(set(y)) < 2:
            raise ValueError(f"need at least two classes to fit, got {sorted(set(y))}")
        vec = DictVectorizer()
        Xm = vec.fit_transform(X)
        lr = LogisticRegression(C=C, max_iter=2000, class_weight=class_weight, random_state=seed)
        lr.fit(Xm, y)
        return cls(list(lr.classes_), list(vec.feature_names_), lr.coef_, lr.intercept_)

    def predict_proba(self, X: Iterable[dict]) -> np.ndarray:
        """Class probabilities, one row per feature dict (sparse: only active features are read)."""
        rows = []
        coef_t = self.coef.T  # (n_features, n_classes or 1)
        for feats in X:
            idx, vals = [], []
            for name, value in feats.items():
                key = f"{name}={value}" if isinstance(value, str) else name
                j = self.index.get(key)
                if j is not None:
                    idx.append(j)
                    vals.append(1.0 if isinstance(value, str) else float(value))
            rows.append(np.asarray(vals) @ coef_t[idx] if idx else np.zeros(coef_t.shape[1]))
        if not rows:
            return np.zeros((0, len(self.classes)))
        logits = np.vstack(rows) + self.intercept
        if len(self.classes) == 2:  # binary: one column of logits for classes[1]
            p1 = 1.0 / (1.0 + np.exp(-logits[:, 0]))
            return np.stack([1.0 - p1, p1], axis=1)
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(axis=1, keepdims=True)

    def to_dict(self) -> dict:
        features = [None] * len(self.index)
        for f, i in self.index.items():
            features[i] = f
        # six significant digits: the saved model is less than half the size, probabilities move < 1e-5
        return {"classes": self.classes, "features": features, "coef": _rounded(self.coef), "intercept": _rounded(self.intercept)}

    @classmethod
    def from_dict(cls, data: dict) -> "LinearModel":
        return cls(data["classes"], data["features"], np.array(data["coef"]), np.array(data["intercept"]))
