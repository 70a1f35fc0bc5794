#!/usr/bin/env bash
# EDA benchmark: n-gram counting (polarity eda ngrams) over the 6,459 real
# reviews in ../shared/data and over 1,000,000 generated reviews, plus the
# whole streaming report over the 1M reviews; prints reviews/s (wall and per
# CPU-second) and peak RSS from /usr/bin/time -v. When Debian's python3-sklearn
# is installed, scikit-learn's CountVectorizer runs on the same real reviews
# and the speed ratio is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/bench
mkdir -p "$out"
go build -o "$out/polarity" ./cmd/polarity
gen="$out/reviews-1m.txt"
if [[ ! -f $gen ]]; then
	echo "generating 1,000,000 synthetic reviews into $gen ..."
	go run ./lib/eda/internal/benchgen -n 1000000 -o "$gen"
fi
shared=""
for d in ../shared ../../shared; do
	if [[ -f $d/data/amazon_polarity_test_head.ft.txt ]]; then shared=$d/data/amazon_polarity_test_head.ft.txt; break; fi
done

# measure LABEL REVIEWS CMD...: run CMD under /usr/bin/time -v and print one line.
measure() {
	local label=$1 n=$2
	shift 2
	/usr/bin/time -v "$@" >"$out/stdout.txt" 2>"$out/time.txt" || { cat "$out/time.txt"; exit 1; }
	awk -v label="$label" -v n="$n" -v rate_file="$out/rate.txt" -F': ' '
		/Elapsed \(wall clock\)/ { m = split($2, t, ":"); wall = (m == 3) ? t[1]*3600 + t[2]*60 + t[3] : t[1]*60 + t[2] }
		/User time/ { user = $2 } /System time/ { sys = $2 }
		/Maximum resident set size/ { rss = $2 }
		END { printf "%.1f\n", n / (user + sys) > rate_file
			printf "%-44s %9d reviews  %6.1f s wall  %8.0f reviews/s  %8.0f reviews/CPU-s  peak RSS %5.0f MiB\n",
			label, n, wall, n / wall, n / (user + sys), rss / 1024 }' "$out/time.txt"
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (shared machine: wall times vary)"
if [[ -n $shared ]]; then
	n=$(wc -l <"$shared")
	measure "eda ngrams --n 3, real reviews" "$n" "$out/polarity" eda ngrams --n 3 --sample 0 --input "$shared"
	go_rate=$(cat "$out/rate.txt")
	if /usr/bin/python3 -c 'import sklearn' 2>/dev/null; then
		measure "sklearn CountVectorizer((3,3)), real reviews" "$n" /usr/bin/python3 -c '
import sys, numpy as np
from sklearn.feature_extraction.text import CountVectorizer
texts = [l.split(" ", 1)[1].strip() for l in open(sys.argv[1], encoding="utf-8")]
X = CountVectorizer(ngram_range=(3, 3)).fit_transform(texts)
print(np.asarray(X.sum(axis=0)).max())' "$shared"
		awk -v g="$go_rate" -v p="$(cat "$out/rate.txt")" 'BEGIN { printf "polarity / scikit-learn, reviews per CPU-second: %.1fx\n", g / p }'
	fi
else
	echo "../shared/data is absent: skipping the real-review runs"
fi
measure "eda ngrams --n 3, generated reviews" 1000000 "$out/polarity" eda ngrams --n 3 --sample 0 --input "$gen"
measure "eda report (all counters, plots), generated" 1000000 "$out/polarity" eda report --sample 0 --input "$gen" --out "$out/report-1m"
