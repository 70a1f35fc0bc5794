#!/usr/bin/env node
// Benchmark peer for `make bench-tokenize`: Hugging Face tokenizers (npm, the Rust core)
// encoding the texts of a JSON-lines file (one JSON string per line).
// Prints one JSON object (best of two runs): reviews/s single-threaded (serial awaits) and with encodeBatch
// (the Rust core's own thread pool), wall and CPU seconds, and the total token count.
//
// Usage: node bench_tokenize.js TOKENIZER_JSON TEXTS_JSONL MAX_LENGTH
'use strict';
const fs = require('fs');
const { Tokenizer } = require('tokenizers');

const [tokPath, textsPath, maxLen] = process.argv.slice(2);
const texts = fs.readFileSync(textsPath, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
const tok = Tokenizer.fromFile(tokPath);
if (Number(maxLen) > 0) tok.setTruncation(Number(maxLen));

function cpuSeconds(u) { return (u.user + u.system) / 1e6; }

(async () => {
  for (const t of texts.slice(0, 200)) await tok.encode(t); // warm up
  // Best of two runs each: the machine may be shared with other jobs.
  let tokens = 0, serialWall = Infinity, serialCPU = Infinity, batchWall = Infinity, batchCPU = Infinity;
  for (let run = 0; run < 2; run++) {
    tokens = 0;
    const cpu0 = process.cpuUsage(), t0 = process.hrtime.bigint();
    for (const t of texts) tokens += (await tok.encode(t)).getLength();
    serialWall = Math.min(serialWall, Number(process.hrtime.bigint() - t0) / 1e9);
    serialCPU = Math.min(serialCPU, cpuSeconds(process.cpuUsage(cpu0)));
  }
  for (let run = 0; run < 2; run++) {
    const cpu0 = process.cpuUsage(), t0 = process.hrtime.bigint();
    const chunk = 2000;
    for (let i = 0; i < texts.length; i += chunk) await tok.encodeBatch(texts.slice(i, i + chunk));
    batchWall = Math.min(batchWall, Number(process.hrtime.bigint() - t0) / 1e9);
    batchCPU = Math.min(batchCPU, cpuSeconds(process.cpuUsage(cpu0)));
  }
  console.log(JSON.stringify({ n: texts.length, tokens, serialWall, serialCPU, batchWall, batchCPU }));
})();
