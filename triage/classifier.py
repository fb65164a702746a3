"""
The learned classifier: scikit-learn TF-IDF + logistic regression, trained in a Celery worker,
stored as plain weights, scored here in pure Python.

The web process never imports scikit-learn (it costs ~130 MB; a web worker must stay under
150 MB): ``features`` is the analyzer used for training, so scoring the stored vocabulary,
idf and coefficients by hand gives the same probabilities as ``predict_proba``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

MAX_FEATURES: Final = 6000
MAX_TEXT: Final = 4000
_WORD = re.compile(r"\w+", re.UNICODE)


def features(text: str) -> list[str]:
    """Return word unigrams and within-word character 4-grams; typos still share 4-grams."""
    words = _WORD.findall(text[:MAX_TEXT].casefold())
    grams = [f"w:{word}" for word in words if not word.isdigit()]
    for word in words:
        padded = f" {word} "
        if len(padded) > 4:
            grams.extend(f"c:{padded[i:i + 4]}" for i in range(len(padded) - 3))
    return grams


@dataclass(frozen=True, slots=True)
class Scorer:
    """A trained model's weights, ready to score text."""

    vocabulary: dict[str, int]
    idf: list[float]
    classes: list[str]
    coef: list[list[float]]
    intercept: list[float]
    model_id: int = 0

    @classmethod
    def from_weights(cls, weights: dict[str, Any], *, model_id: int = 0) -> Scorer:
        return cls(vocabulary=weights["vocabulary"], idf=weights["idf"],
                   classes=weights["classes"], coef=weights["coef"],
                   intercept=weights["intercept"], model_id=model_id)

    def probabilities(self, text: str) -> dict[str, float]:
        found = (self.vocabulary.get(gram) for gram in features(text))
        counts = Counter(i for i in found if i is not None)
        # sublinear_tf, then idf, then l2 normalisation: TfidfVectorizer's settings in train().
        vector = {i: (1.0 + math.log(n)) * self.idf[i] for i, n in counts.items()}
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        logits = [
            self.intercept[k] + sum(row[i] * v for i, v in vector.items()) / norm
            for k, row in enumerate(self.coef)
        ]
        top = max(logits)
        exps = [math.exp(logit - top) for logit in logits]
        total = sum(exps)
        return {name: exps[k] / total for k, name in enumerate(self.classes)}


def predict(scorer: Scorer | None, text: str) -> dict[str, Any]:
    """Return {"model", "category", "confidence", "top"} or {} when no model is trained."""
    if scorer is None or not text.strip():
        return {}
    ranked = sorted(scorer.probabilities(text).items(), key=lambda item: -item[1])
    category, probability = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    return {
        "model": scorer.model_id,
        "category": category,
        # Same discount as the rules: a close runner-up means "ask a human".
        "confidence": round(max(0.0, probability - 0.6 * runner_up), 4),
        "top": {name: round(p, 3) for name, p in ranked[:3]},
    }


def train(texts: Sequence[str], labels: Sequence[str]) -> tuple[dict[str, Any], float | None]:
    """Fit the model and return (weights, cross-validated accuracy); needs scikit-learn."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline

    def build() -> Any:
        return make_pipeline(
            TfidfVectorizer(analyzer=features, sublinear_tf=True, max_features=MAX_FEATURES,
                            min_df=2),
            LogisticRegression(max_iter=2000, C=8.0),
        )

    accuracy = None
    smallest = min(Counter(labels).values())
    if smallest >= 3:
        folds = min(5, smallest)
        accuracy = float(cross_val_score(build(), list(texts), list(labels), cv=folds).mean())
    pipeline = build().fit(list(texts), list(labels))
    vectorizer, model = pipeline.steps[0][1], pipeline.steps[1][1]
    coef = model.coef_
    intercept = model.intercept_
    if len(model.classes_) == 2:  # binary models keep one row; score both classes alike
        coef = [-coef[0], coef[0]]
        intercept = [-intercept[0], intercept[0]]
    weights = {
        "vocabulary": {term: int(i) for term, i in vectorizer.vocabulary_.items()},
        "idf": [round(float(v), 5) for v in vectorizer.idf_],
        "classes": [str(c) for c in model.classes_],
        "coef": [[round(float(v), 5) for v in row] for row in coef],
        "intercept": [round(float(v), 5) for v in intercept],
    }
    return weights, accuracy
