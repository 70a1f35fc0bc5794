#!/usr/bin/python3
"""Golden values for lib/eda from the Python libraries the seed notebook used.

Run with Debian's python3 (apt-get install -y python3-sklearn python3-scipy
python3-wordcloud):  /usr/bin/python3 scripts/golden/eda.py
Writes lib/eda/testdata/*.json and lib/eda/stopwords.txt.
"""
import collections
import json
import os
import random
import re
import sys
import unicodedata

import numpy as np
import scipy
import scipy.stats
import sklearn
import wordcloud
from sklearn.feature_extraction.text import CountVectorizer

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "lib", "eda", "testdata")
VERSIONS = {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__,
            "sklearn": sklearn.__version__, "wordcloud": wordcloud.__version__,
            "unicode": unicodedata.unidata_version}


def write(name, obj):
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=None, separators=(",", ":"))
        f.write("\n")


def corpus():
    """A fixed corpus: review-like sentences plus Unicode edge cases."""
    rng = random.Random(20261126)
    nouns = ["product", "products", "battery", "batteries", "book", "books", "Book", "price", "quality",
             "customer service", "sound", "screen", "case", "cases", "glass", "glasses", "Amazon's", "seller",
             "item", "items", "CD", "DVD", "movie", "movies", "story", "size", "color", "charger"]
    adjs = ["great", "Great", "GREAT", "terrible", "awful", "good", "bad", "cheap", "excellent", "poor",
            "highly recommend", "waste of money", "works great", "broke after", "not worth", "five stars"]
    fillers = ["the", "a", "it", "is", "was", "and", "but", "I", "this", "very", "so", "don't", "can't",
               "would", "not", "really", "just", "after", "2", "10", "2nd", "x2", "100%", "it's", "I'm"]
    docs = []
    for i in range(400):
        label = i % 2
        words = []
        for _ in range(rng.randint(3, 60)):
            pick = rng.random()
            if pick < 0.35:
                words.append(rng.choice(nouns))
            elif pick < 0.6:
                words.append(rng.choice(adjs))
            else:
                words.append(rng.choice(fillers))
            if rng.random() < 0.1:
                words[-1] += rng.choice([".", ",", "!", "?", "...", ":", ";", ")"])
        docs.append({"label": label, "text": " ".join(words)})
    edge = [
        "Café crème brûlée – naïve façade, résumé.",                      # precomposed accents
        "Cafe\u0301 decomposed e\u0301clair",                               # combining marks split tokens
        "ΟΔΟΣ ΟΔΟΣ. ΣΑΣ Σ ΣΣ ΑΣ'Σ",                                          # Greek final sigma
        "İSTANBUL İzmir DİYARBAKIR",                                         # dotted capital I
        "日本語のテキスト 中文文本 한국어 텍스트",                              # CJK, Hangul
        "x² ½ Ⅻ ①② ٣٤٥ ৫৬ 10km 3.14 1,000 v2.0 A1",                          # numbers of every kind
        "snake_case __init__ _x a_ _ __",                                    # underscores are \\w
        "emoji 😀😀 great👍product ❤️love",                                   # symbols are not \\w
        "tabs\tand\nnewlines\x0bvt\x0cff\rcr\x1cfs\x1dgs\x1erecord\x1fus\u00a0nbsp\u2003em\u3000ideo\u200bzwsp",
        "ＦＵＬＬＷＩＤＴＨ ｔｅｘｔ Straße STRASSE ǅemal ﬁne",                 # fullwidth, ß, titlecase, ligature
        "عربي نص مراجعة ממש טוב हिन्दी समीक्षा",                               # RTL, Devanagari marks
        "don't won't Amazon's JOHN'S it's 'quoted' rock'n'roll o'clock '90s",
        "",                                                                  # empty review
        "   ",                                                               # whitespace only
        "a b c d e",                                                         # only one-letter words
        "K Kelvin ℃ Å Ångström µ micro",
    ]
    for j, t in enumerate(edge):
        docs.append({"label": j % 2, "text": t})
    return docs


def word_char_ranges():
    """Code point ranges matched by Python's \\w, and ranges unassigned in Python's Unicode."""
    w = re.compile(r"\w")
    word, unassigned = [], []
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        for lst, hit in ((word, w.match(ch) is not None), (unassigned, unicodedata.category(ch) == "Cn")):
            if hit:
                if lst and lst[-1][1] == cp - 1:
                    lst[-1][1] = cp
                else:
                    lst.append([cp, cp])
    return word, unassigned


def main():
    os.makedirs(OUT, exist_ok=True)
    docs = corpus()
    texts = [d["text"] for d in docs]
    write("corpus.json", docs)

    # CountVectorizer(ngram_range=(n,n)) column sums, every term.
    ngrams = {}
    for n in (1, 2, 3):
        cv = CountVectorizer(ngram_range=(n, n))
        X = cv.fit_transform(texts)
        sums = np.asarray(X.sum(axis=0)).ravel()
        ngrams[str(n)] = {term: int(sums[idx]) for term, idx in cv.vocabulary_.items()}
    tokens = [CountVectorizer().build_analyzer()(t) for t in texts]
    write("ngrams.json", {"versions": VERSIONS, "ngrams": ngrams, "tokens": tokens})

    # The seed's Counter over whitespace words, most_common order.
    mc = collections.Counter(" ".join(texts).split()).most_common()
    fields = [t.split() for t in texts]
    write("words.json", {"versions": VERSIONS, "most_common": mc, "fields": fields})

    # numpy histogram(bins="auto"), quantiles and means.
    chars = np.array([len(t) for t in texts], dtype=float)
    words = np.array([len(t.split()) for t in texts], dtype=float)
    mwl = np.array([np.mean([len(w) for w in t.split()]) for t in texts if t.split()])
    rs = np.random.default_rng(7)
    sets = {"chars": chars, "words": words, "mean_word_length": mwl,
            "normal": rs.normal(4.5, 0.7, 5000), "skewed_ints": np.floor(rs.lognormal(5, 0.8, 3000)),
            "constant": np.full(10, 3.0), "two": np.array([1.0, 2.0])}
    hists = {}
    for name, x in sets.items():
        counts, edges = np.histogram(x, bins="auto")
        hists[name] = {"values": x.tolist(), "edges": edges.tolist(), "counts": counts.tolist(),
                       "mean": float(np.mean(x)), "median": float(np.percentile(x, 50)),
                       "p95": float(np.percentile(x, 95)), "min": float(x.min()), "max": float(x.max())}
    write("hist.json", {"versions": VERSIONS, "sets": hists})

    # scipy.stats.gaussian_kde (Scott's rule) evaluated on a grid.
    kdes = {}
    for name in ("mean_word_length", "normal", "skewed_ints", "two"):
        x = sets[name]
        k = scipy.stats.gaussian_kde(x)
        grid = np.linspace(x.min() - 1, x.max() + 1, 101)
        kdes[name] = {"values": x.tolist(), "bandwidth": float(np.sqrt(k.covariance[0, 0])),
                      "grid": grid.tolist(), "density": k(grid).tolist()}
    write("kde.json", {"versions": VERSIONS, "kdes": kdes})

    # WordCloud().process_text per class, in generate_from_frequencies order.
    wc = wordcloud.WordCloud()
    clouds = {}
    for label in (0, 1):
        text = " ".join(d["text"] for d in docs if d["label"] == label)
        freqs = wc.process_text(text)
        clouds[str(label)] = sorted(freqs.items(), key=lambda kv: kv[1], reverse=True)
    write("cloud.json", {"versions": VERSIONS, "clouds": clouds})
    with open(os.path.join(ROOT, "lib", "eda", "stopwords.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(sorted(wordcloud.STOPWORDS)) + "\n")

    # Python's \w and str.lower over all of Unicode.
    word, unassigned = word_char_ranges()
    lower = {str(cp): chr(cp).lower() for cp in range(0x110000)
             if not 0xD800 <= cp <= 0xDFFF and chr(cp).lower() != chr(cp)}
    space = [cp for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF and chr(cp).isspace()]
    digit = [cp for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF and chr(cp).isdigit()]
    write("unicode.json", {"versions": VERSIONS, "word": word, "unassigned": unassigned,
                           "lower": lower, "space": space, "digit": digit})


if __name__ == "__main__":
    main()
