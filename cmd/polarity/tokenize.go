package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/polarityml/polarity/lib/progress"
	"github.com/polarityml/polarity/lib/tokenize"
)

func tokenizeCommand() *command {
	const summary = "Tokenize text as bert-base-uncased does (ids, tokens, word ids)."
	return &command{
		name:    "tokenize",
		summary: summary,
		run: func(args []string) error {
			fs := newFlags("polarity tokenize", "[TEXT…|-]", summary+`

Texts come from the arguments, or from standard input ("-" or no argument):
one text per line, or with --jsonl one JSON string per line. --jsonl writes
one JSON object per text: {"ids":[…],"tokens":[…],"attention_mask":[…],"word_ids":[…]}
(word id null for [CLS]/[SEP]).`)
			spec := fs.String("tokenizer", "", "tokenizer.json, vocab.txt, model directory or hub repo id (default: bert-base-uncased from the Go module cache, or $"+tokenize.PathEnv+")")
			maxLen := fs.Int("max-len", 128, "truncate to this many tokens, [CLS] and [SEP] included; 0 = no truncation")
			jsonl := fs.Bool("jsonl", false, "read and write JSON lines")
			safe := fs.Bool("safe-specials", false, `treat "[SEP]", "[CLS]", "[MASK]" typed in the text as plain text`)
			backend := fs.String("backend", tokenize.BackendGo, `"go" (pure Go) or "hf" (Hugging Face's Rust library; needs a tokenizers_hf build)`)
			if err := parseFlags(fs, args); err != nil {
				return err
			}
			opts := []tokenize.Option{tokenize.WithMaxLength(*maxLen), tokenize.WithBackend(*backend)}
			if *safe {
				opts = append(opts, tokenize.WithSafeSpecials())
			}
			tok, err := tokenize.Load(*spec, opts...)
			if err != nil {
				return err
			}
			out := bufio.NewWriter(os.Stdout)
			defer out.Flush()
			texts := fs.Args()
			if len(texts) == 0 || (len(texts) == 1 && texts[0] == "-") {
				return tokenizeStream(tok, os.Stdin, out, *jsonl)
			}
			for _, e := range tok.EncodeBatch(texts) {
				if err := writeEncoding(out, e, *jsonl); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// tokenizeStream encodes r line by line, in batches so all cores work.
func tokenizeStream(tok tokenize.Tokenizer, r io.Reader, w *bufio.Writer, jsonl bool) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	var bar *progress.Bar
	if jsonl {
		bar = progress.New("tokenize", -1, "texts")
		defer bar.Done()
	}
	const batch = 4096
	texts := make([]string, 0, batch)
	flush := func() error {
		for _, e := range tok.EncodeBatch(texts) {
			if err := writeEncoding(w, e, jsonl); err != nil {
				return err
			}
		}
		if bar != nil {
			bar.Add(int64(len(texts)))
		}
		texts = texts[:0]
		return nil
	}
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if jsonl {
			if err := json.Unmarshal(sc.Bytes(), &text); err != nil {
				return fmt.Errorf("input line %d is not a JSON string (--jsonl wants one per line, e.g. \"great product\"): %w", line, err)
			}
		}
		texts = append(texts, text)
		if len(texts) == batch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading standard input: %w", err)
	}
	return flush()
}

// jsonEncoding is one --jsonl output line.
type jsonEncoding struct {
	IDs           []int32  `json:"ids"`
	Tokens        []string `json:"tokens"`
	AttentionMask []int32  `json:"attention_mask"`
	WordIDs       []*int32 `json:"word_ids"`
}

func writeEncoding(w *bufio.Writer, e tokenize.Encoding, jsonl bool) error {
	if jsonl {
		words := make([]*int32, len(e.WordIDs))
		for i := range e.WordIDs {
			if e.WordIDs[i] != tokenize.NoWord {
				words[i] = &e.WordIDs[i]
			}
		}
		b, err := json.Marshal(jsonEncoding{e.IDs, e.Tokens, e.AttentionMask, words})
		if err != nil {
			return err
		}
		w.Write(b)
		return w.WriteByte('\n')
	}
	// Aligned columns: token, id and word id per token.
	var tokens, ids, words strings.Builder
	for i, t := range e.Tokens {
		word := "-"
		if e.WordIDs[i] != tokenize.NoWord {
			word = strconv.Itoa(int(e.WordIDs[i]))
		}
		id := strconv.Itoa(int(e.IDs[i]))
		width := max(len([]rune(t)), len(id), len(word))
		tokens.WriteString(padRight(t, width+len(t)-len([]rune(t))) + " ")
		ids.WriteString(padRight(id, width) + " ")
		words.WriteString(padRight(word, width) + " ")
	}
	trunc := ""
	if e.Truncated {
		trunc = " (truncated)"
	}
	fmt.Fprintf(w, "tokens  %s\nids     %s\nwords   %s\n%d tokens%s\n\n",
		strings.TrimRight(tokens.String(), " "), strings.TrimRight(ids.String(), " "), strings.TrimRight(words.String(), " "), e.Len(), trunc)
	return nil
}
