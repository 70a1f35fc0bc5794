#!/usr/bin/env node
// Generates lib/tokenize/testdata/golden.json: what Hugging Face's bert-base-uncased
// tokenizer (npm tokenizers, the official Node binding of the Rust core) returns for
// generated reviews, hostile strings and truncation cases. The Go tests compare
// lib/tokenize against it token by token.
//
// Usage: node scripts/golden/tokenize.js TOKENIZER_JSON > lib/tokenize/testdata/golden.json
'use strict';
const fs = require('fs');
const { Tokenizer } = require('tokenizers');
const version = require('tokenizers/package.json').version;

const path = process.argv[2];
if (!path) {
  console.error('usage: node tokenize.js path/to/bert-base-uncased.json > golden.json');
  process.exit(2);
}
const json = fs.readFileSync(path, 'utf8');
// "Safe" reference: the same tokenizer with no added tokens, so "[SEP]" typed in a
// text is ordinary text (the template still adds [CLS]/[SEP] by id).
const safeConfig = JSON.parse(json);
safeConfig.added_tokens = [];

// Deterministic PRNG (mulberry32) so the generated reviews are reproducible.
function rng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(20261126);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const words = ('the a this product is was great terrible love hate it works broke after two days ' +
  'I would not recommend buy again quality price shipping fast slow arrived damaged excellent ' +
  'disappointed battery charger headphones book author story characters plot boring amazing ' +
  'customer service refund returned waste money worth every penny sound picture screen ' +
  'unbelievably misunderstanding antidisestablishmentarianism supercalifragilistic ' +
  'café naïve résumé jalapeño über São Paulo Zürich façade crème brûlée Ångström ' +
  'DON\'T can\'t won\'t it\'s I\'m they\'re we\'ve $19.99 1,299 3.5mm 100% #1 A+ 5/5 ' +
  'e-mail co-worker well-made U.S.A. Mr. Dr. etc... !!! ??? :-) ;) <3 ' +
  '日本語 中文 한국어 русский ελληνικά עברית العربية हिन्दी ไทย 😀 👍🏽 ❤️ 🇺🇸 ™ © ® ½ ² ﬁ').split(' ');
function review() {
  const n = 3 + Math.floor(rand() * 120);
  const out = [];
  for (let i = 0; i < n; i++) {
    let w = pick(words);
    const r = rand();
    if (r < 0.1) w = w[0].toUpperCase() + w.slice(1);
    else if (r < 0.13) w = w.toUpperCase();
    out.push(w);
    const p = rand();
    if (p < 0.08) out.push(pick(['.', ',', '!', '?', ':', ';', ' -', '...']));
    if (p > 0.985) out.push(pick(['\n', '\t', '  ', '<br />', '&amp;', '&quot;']));
  }
  return out.join(' ').replace(/ ([.,!?:;])/g, '$1');
}

const long100 = 'a'.repeat(100), long101 = 'a'.repeat(101);
const hostile = [
  '', ' ', '\n', '\t\r\n', 'a', 'A', '.', '[SEP]', '[CLS] [SEP] [MASK] [PAD] [UNK]',
  'great[SEP]terrible', 'a [sep] b [Sep] c [ SEP ] d [[SEP]] e [SEP', 'x[MASK]y[MASK]',
  'Héllo Wörld Ñandú Çava ÀÉÎÕÜ ǅ ǈ ǋ ǲ', 'İstanbul ıi ẞ ß ς σ Σ', 'e\u0301 a\u0300\u0301 o\u0308\u0304',
  'ﬁne ﬂower ½ ² ℌ ⅷ Ⅻ ㎞ ＦＵＬＬ ｗｉｄｔｈ', '日本語のテキスト', '中文评论很好', '한국어 리뷰 최고',
  '㐀𠀀𪜀𫝀𫠠𬺰丽', 'ภาษาไทย', 'हिन्दी समीक्षा', 'مراجعة عربية', 'עברית', 'Ελληνικά',
  '😀😃😄 👍🏽 👩‍👩‍👧‍👦 🇺🇸 ❤️ ☺︎', '\u0000', 'a\u0000b', '\u0000\u0000[SEP]\u0000',
  'zero\u200bwidth\u200cjoin\u200dner\ufeffbom', 'soft\u00adhyphen', 'bidi\u202eevil\u202c',
  'tab\tnew\nline\rcr\u000bvt\u000cff', '\u0085next\u2028line\u2029para\u00a0nbsp\u3000ideo',
  'control\u0001\u0007\u001b[31mred\u001b[0m', 'private\ue000use', 'noncharacter\ufffe\uffff',
  'replacement\ufffdchar', 'unassigned\u0378\u0379', 'tag\u{e0041}chars', 'variation\ufe0fselector',
  long100, long101, 'x' + long100, long100 + '!', long101 + ' ok', 'é'.repeat(100), 'é'.repeat(101),
  'unaffable unaffableness xyzzyplugh qwertyuiopasdfghjkl',
  '&amp; &lt;b&gt; &quot;quoted&quot; &#39;apos&#39; &nbsp; <br /><br />',
  '1,000,000 1.5 3.14159 $19.99 €5 £3 ¥100 10% 1st 2nd 3rd 4th 12:30pm 2024-01-01',
  'line one\nline two\n\nline four', '   leading and trailing   ', 'MiXeD CaSe ToKeNs',
  'don\'t can\'t won\'t shouldn\'t it\'s I\'m they\'re', '"quotes" \u201csmart\u201d \u2018single\u2019 \u00abguillemets\u00bb',
  '—dash–en‐hyphen−minus', '…ellipsis', '@user #hashtag http://example.com/path?q=1&r=2 foo@bar.com',
  '\u0301leading combining', 'Ω ohm Å angstrom K kelvin', 'ǆ Ǆ ǅ',
  '\ud83d\ude00 surrogate pair', 'ＡＢＣ１２３', '\u1100\u1161\u11a8 jamo', 'ÿ Ÿ ſ',
  // Combining marks that survive accent stripping and that NFD reorders (canonical order).
  'a\u{1D16D}\u{1D165}b', '\u0915\u093C\u094D', 'x\u0F71\u0F72\u0F80',
];
const texts = [];
for (const t of hostile) texts.push(t);
for (let i = 0; i < 250; i++) texts.push(review());

async function run(tok, text, maxLength) {
  if (maxLength) tok.setTruncation(maxLength); else tok.disableTruncation();
  const e = await tok.encode(text);
  return {
    ids: e.getIds(),
    tokens: e.getTokens(),
    type_ids: e.getTypeIds(),
    attention_mask: e.getAttentionMask(),
    word_ids: e.getWordIds().map((w) => (w === undefined ? null : w)),
    char_offsets: e.getOffsets(),
    decoded: await tok.decode(e.getIds(), false),
    decoded_skip_special: await tok.decode(e.getIds(), true),
  };
}

(async () => {
  const tok = Tokenizer.fromString(json);
  const safe = Tokenizer.fromString(JSON.stringify(safeConfig));
  const cases = [];
  for (const text of texts) cases.push(Object.assign({ text, max_length: 0, safe: false }, await run(tok, text, 0)));
  // Truncation: every 5th text at 128, and short limits that cut inside words and specials.
  for (let i = 0; i < texts.length; i += 5) cases.push(Object.assign({ text: texts[i], max_length: 128, safe: false }, await run(tok, texts[i], 128)));
  for (const [text, n] of [['great[SEP]terrible and more words here', 4], ['unaffable unaffableness', 3],
    ['unaffable unaffableness', 5], [long101 + ' ok', 3], ['a b c', 2], ['a b c', 3], ['[CLS] [SEP] [MASK]', 4]]) {
    cases.push(Object.assign({ text, max_length: n, safe: false }, await run(tok, text, n)));
  }
  // Safe mode: special tokens typed in the text are plain text.
  for (const text of hostile.filter((t) => /\[/.test(t))) {
    const r = await run(safe, text, 0);
    delete r.decoded_skip_special; // the safe reference has no special tokens to skip
    cases.push(Object.assign({ text, max_length: 0, safe: true }, r));
  }
  process.stdout.write(JSON.stringify({ reference: `npm tokenizers@${version}`, tokenizer: 'bert-base-uncased', cases }, null, 0)
    .replace(/\},\{"text"/g, '},\n{"text"') + '\n');
  console.error(`tokenize golden: ${cases.length} cases`);
})();
