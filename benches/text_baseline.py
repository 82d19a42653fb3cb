#!/usr/bin/env python3
"""How far do the words of the development set carry? A learned baseline for kefu's text readers.

Trains ordinary text classifiers on ../shared/realdata/csds itself and scores them by 5-fold cross-validation
(each dialogue read by a model that never saw it), over 5 shuffles, to compare with `kefu measure` on the same
folder. The classifiers see every word of every dialogue; the point is the ceiling of bag-of-words evidence on
these labels, not a reader to ship (kefu's readers are hand-written lexicons a supervisor can read and edit).

    pip install scikit-learn jieba
    python3 benches/text_baseline.py [../shared/realdata/csds]

Prints, for topics: accuracy (median of the shuffles) of a logistic regression and of naive Bayes over jieba
tokens, with the customer's words only and with both sides; also the same model scored on the dialogues it was
fitted to (what "learning the file" reaches). For refund intent: the recall reached when the threshold flags 0.10
of the other dialogues (the issue's bar).
"""
import collections
import csv
import statistics
import sys

import jieba
import numpy as np
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import make_pipeline

jieba.setLogLevel(60)
FOLDER = sys.argv[1] if len(sys.argv) > 1 else "../shared/realdata/csds"
SEEDS = range(5)

messages = collections.defaultdict(list)
with open(f"{FOLDER}/messages.csv", encoding="utf-8") as f:
    for row in csv.DictReader(f):
        messages[row["conversation_id"]].append((row["sender"], row["text"]))


def words(conversation, who):
    """The dialogue's jieba tokens, space-joined: the customer's only, or both sides."""
    return " ".join(
        " ".join(jieba.lcut(text)) for sender, text in messages[conversation] if who == "both" or sender == who
    )


def logistic(c=10.0, balanced=False):
    return make_pipeline(
        TfidfVectorizer(token_pattern=r"\S+", min_df=2, sublinear_tf=True),
        LogisticRegression(C=c, max_iter=3000, class_weight="balanced" if balanced else None),
    )


def bayes():
    return make_pipeline(CountVectorizer(token_pattern=r"\S+", min_df=2, binary=True), MultinomialNB(alpha=0.5))


def topics():
    with open(f"{FOLDER}/expected_topics.csv", encoding="utf-8") as f:
        labels = {r["conversation_id"]: r["topic"] for r in csv.DictReader(f)}
    ids = list(labels)
    y = np.array([labels[c] for c in ids])
    print(f"topic: {len(ids)} labelled dialogues, 5-fold cross-validation, median of {len(SEEDS)} shuffles")
    for who in ("customer", "both"):
        x = [words(c, who) for c in ids]
        for name, model in (("logistic regression", logistic), ("naive Bayes", bayes)):
            accs = []
            for seed in SEEDS:
                folds = StratifiedKFold(5, shuffle=True, random_state=seed)
                accs.append((cross_val_predict(model(), x, y, cv=folds) == y).mean())
            fitted = (model().fit(x, y).predict(x) == y).mean()
            print(f"  {who:8} {name:20} held out {statistics.median(accs):.3f}   on its own training file {fitted:.3f}")


def refund():
    with open(f"{FOLDER}/expected_intents.csv", encoding="utf-8") as f:
        labels = {r["conversation_id"]: int(r["refund"]) for r in csv.DictReader(f)}
    ids = list(labels)
    y = np.array([labels[c] for c in ids])
    print(f"refund intent: {y.sum()} of {len(ids)} dialogues, recall when 0.10 of the others are flagged")
    for who in ("customer", "both"):
        x = [words(c, who) for c in ids]
        recalls = []
        for seed in SEEDS:
            folds = StratifiedKFold(5, shuffle=True, random_state=seed)
            p = cross_val_predict(logistic(1.0, True), x, y, cv=folds, method="predict_proba")[:, 1]
            others = np.sort(p[y == 0])
            threshold = others[int(len(others) * 0.9)]
            recalls.append((p[y == 1] > threshold).mean())
        print(f"  {who:8} logistic regression  held out recall {statistics.median(recalls):.3f}")


topics()
refund()
