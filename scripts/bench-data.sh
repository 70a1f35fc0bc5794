#!/usr/bin/env bash
# Benchmark: stream a generated 3.6M-row parquet file (the size of Amazon
# Polarity's train split) computing label counts and text lengths, and report
# rows/s and peak RSS (GNU time). Fails if peak RSS reaches 1 GiB.
#   scripts/bench-data.sh [ROWS]      (default 3600000; file cached in build/bench)
set -euo pipefail
rows=${1:-3600000}
cd "$(dirname "$0")/.."
mkdir -p build/bench
bin=build/bench/polarity
go build -o "$bin" ./cmd/polarity
file=build/bench/synthetic-$rows.parquet
if [[ ! -s $file ]]; then
  echo "generating $file ($rows rows) ..."
  "$bin" data gen-sample --rows "$rows" --seed 7 --file "$file"
fi
ls -l "$file"
[[ -x /usr/bin/time ]] || { echo "needs GNU time: apt-get install -y time"; exit 1; }
log=build/bench/time.log
/usr/bin/time -v "$bin" data stats "$file" 2> "$log" | tee build/bench/stats.txt
rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
cpu_user=$(awk -F': ' '/User time/ {print $2}' "$log")
echo "peak RSS: $((rss_kb / 1024)) MiB   wall: $wall   user CPU: ${cpu_user}s   ($(nproc) cores, load average: $(cut -d' ' -f1-3 /proc/loadavg))"
if (( rss_kb >= 1024 * 1024 )); then
  echo "FAIL: peak RSS is 1 GiB or more"
  exit 1
fi
