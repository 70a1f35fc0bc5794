// Package tokenize turns review text into BERT input: token ids, attention
// masks, token type ids and word ids, exactly as Hugging Face's
// bert-base-uncased tokenizer does, plus a collator that pads batches to a
// small set of lengths.
//
// The default backend is a pure-Go WordPiece tokenizer that reads Hugging
// Face tokenizer.json (or vocab.txt) files. Its Unicode behaviour is not Go's
// unicode package but tables measured on the reference implementation (npm
// tokenizers, see unicode_table.go), so ids, tokens, word ids and offsets
// match Hugging Face's token for token (golden tests in testdata/). Building
// with -tags tokenizers_hf (and cgo) adds a second backend over
// github.com/daulet/tokenizers, the Rust library itself.
//
// Special tokens typed inside a text: Hugging Face turns a literal "[SEP]",
// "[CLS]" or "[MASK]" in the input into the special token itself, so a
// review can inject structure into the classifier's input. The default here
// reproduces Hugging Face (the seed notebook trained that way and parity is
// tested); WithSafeSpecials tokenizes such text as ordinary characters
// ("[", "sep", "]"), which is what untrusted input at prediction time should
// use together with a model trained the same way.
package tokenize

import (
	"context"
	"fmt"

	"github.com/polarityml/polarity/lib/hub"
)

// Tokenizer encodes text into BERT input. Implementations are safe for
// concurrent use.
type Tokenizer interface {
	// Encode tokenizes one text: [CLS] tokens [SEP], truncated to MaxLength.
	Encode(text string) Encoding
	// EncodeBatch encodes texts in parallel on all cores; result i belongs to texts[i].
	EncodeBatch(texts []string) []Encoding
	// Decode turns ids back into text (Hugging Face's WordPiece decoder with
	// cleanup); skipSpecial drops [CLS], [SEP], [PAD] and the like.
	Decode(ids []int32, skipSpecial bool) string
	// Specials returns the ids of the special tokens.
	Specials() Specials
	// VocabSize is the number of ids, special tokens included.
	VocabSize() int
	// TokenID returns the id of a vocabulary token.
	TokenID(token string) (int32, bool)
	// IDToken returns the token of an id.
	IDToken(id int32) (string, bool)
	// MaxLength is the truncation length (specials included); 0 means none.
	MaxLength() int
}

// Specials holds the ids of BERT's special tokens.
type Specials struct {
	PAD, UNK, CLS, SEP, MASK int32
}

// NoWord is the word id of tokens that belong to no word of the input: the
// [CLS] and [SEP] the template adds (Hugging Face's None).
const NoWord int32 = -1

// Offset is a half-open span [Start, End) of the input text.
type Offset struct {
	Start, End int
}

// Encoding is one tokenized text. All slices have one element per token.
type Encoding struct {
	// IDs are the vocabulary ids, [CLS] first and [SEP] last.
	IDs []int32
	// Tokens are the vocabulary strings of IDs ("##" marks a word continuation).
	Tokens []string
	// AttentionMask is 1 for every token (padding happens in the Collator).
	AttentionMask []int32
	// TypeIDs are the token type (segment) ids: 0 for a single text.
	TypeIDs []int32
	// WordIDs is the index of the word each token comes from, NoWord for
	// [CLS]/[SEP] (as Hugging Face's word_ids(): words are the pre-tokenizer's
	// splits, each punctuation mark and each special token typed in the text
	// counting as one).
	WordIDs []int32
	// Offsets are byte spans into the input; (0, 0) for [CLS]/[SEP].
	Offsets []Offset
	// CharOffsets are the same spans counted in code points, as Hugging
	// Face's Python and Node bindings report them.
	CharOffsets []Offset
	// Truncated says that tokens were dropped to fit MaxLength.
	Truncated bool
}

// Len is the number of tokens.
func (e Encoding) Len() int { return len(e.IDs) }

// Option configures Load.
type Option func(*options)

type options struct {
	maxLength    int
	maxLengthSet bool
	safeSpecials bool
	backend      string
	hub          HubFetcher
}

// HubFetcher downloads one file of a Hugging Face model repo and returns its
// local path.
type HubFetcher func(repo, file string) (path string, err error)

// WithHub replaces the hub client Load uses for repo ids (by default
// hub.NewFromEnv(): $HF_TOKEN, $HF_ENDPOINT, $HF_HUB_CACHE, $HF_HUB_OFFLINE).
func WithHub(fetch HubFetcher) Option {
	return func(o *options) { o.hub = fetch }
}

// HubClient adapts a lib/hub client: files of the repo's main revision,
// cached in the standard Hugging Face cache.
func HubClient(c *hub.Client) HubFetcher {
	return func(repo, file string) (string, error) {
		return c.Download(context.Background(), hub.File{Type: hub.Model, Repo: repo, Revision: "main", Path: file})
	}
}

// WithMaxLength truncates encodings to n tokens, [CLS] and [SEP] included
// (the [SEP] is kept, as Hugging Face does); 0 disables truncation. Without
// it, the tokenizer file's own truncation setting applies (none for
// bert-base-uncased).
func WithMaxLength(n int) Option {
	return func(o *options) { o.maxLength, o.maxLengthSet = n, true }
}

// WithSafeSpecials makes special tokens typed in the text ordinary text: a
// literal "[SEP]" becomes "[", "sep", "]" instead of id 102. See the package
// documentation.
func WithSafeSpecials() Option {
	return func(o *options) { o.safeSpecials = true }
}

// Backend names.
const (
	// BackendGo is the pure-Go WordPiece implementation (the default).
	BackendGo = "go"
	// BackendHF is Hugging Face's Rust tokenizers via github.com/daulet/tokenizers;
	// it needs a build with -tags tokenizers_hf, cgo and libtokenizers.a.
	BackendHF = "hf"
)

// WithBackend picks the implementation: BackendGo (default) or BackendHF.
func WithBackend(name string) Option {
	return func(o *options) { o.backend = name }
}

// Load returns a tokenizer. spec is a tokenizer.json file, a vocab.txt file,
// a model directory holding either, a Hugging Face hub model repo id such as
// "google-bert/bert-base-uncased" (its tokenizer.json, else its vocab.txt,
// downloaded once into the hub cache), or "" for the offline default: the
// bert-base-uncased tokenizer.json that ships in the github.com/daulet/tokenizers
// module (see DefaultPath); $POLARITY_TOKENIZER, when set, replaces that default.
func Load(spec string, opts ...Option) (Tokenizer, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if o.maxLength < 0 || o.maxLength == 1 {
		return nil, fmt.Errorf("max length %d is invalid: use 0 (no truncation) or at least 2 ([CLS] and [SEP])", o.maxLength)
	}
	if o.hub == nil {
		o.hub = HubClient(hub.NewFromEnv())
	}
	path, err := resolve(spec, o.hub)
	if err != nil {
		return nil, err
	}
	switch o.backend {
	case "", BackendGo:
		return loadWordPiece(path, o)
	case BackendHF:
		return loadHF(path, o)
	default:
		return nil, fmt.Errorf("unknown tokenizer backend %q: use %q or %q", o.backend, BackendGo, BackendHF)
	}
}
