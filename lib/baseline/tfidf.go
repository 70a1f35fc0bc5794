package baseline

import (
	"fmt"
	"math"
	"slices"

	"github.com/polarityml/polarity/lib/eda"
)

// Vectorizer turns texts into TF-IDF vectors of word unigrams and bigrams,
// exactly as scikit-learn's TfidfVectorizer(ngram_range=(1, 2)) with its
// other defaults: lowercase, token pattern (?u)\b\w\w+\b (eda.Tokens), every
// term kept (min_df=1, max_df=1.0), raw counts as term frequencies,
// idf = ln((1+n)/(1+df)) + 1 (smooth_idf), and rows scaled to unit L2 norm.
type Vectorizer struct {
	// Terms is the vocabulary in sklearn's order (sorted); feature i is Terms[i].
	Terms []string
	// IDF holds the inverse document frequency of each term.
	IDF   []float64
	index map[string]int32
}

// sparseRows is a CSR matrix: row i has the entries indices[ptr[i]:ptr[i+1]]
// (ascending feature ids) with values data[ptr[i]:ptr[i+1]].
type sparseRows struct {
	ptr     []int
	indices []int32
	data    []float64
	cols    int
}

func (m *sparseRows) rows() int { return len(m.ptr) - 1 }

// ngrams calls f with every unigram, then every bigram, of text's tokens,
// as sklearn's _word_ngrams orders them.
func ngrams(text string, f func(term string)) {
	tokens := eda.Tokens(text)
	for _, t := range tokens {
		f(t)
	}
	for i := 0; i+1 < len(tokens); i++ {
		f(tokens[i] + " " + tokens[i+1])
	}
}

// fitVectorizer learns the vocabulary and idf of texts and returns the
// vectorizer with the TF-IDF matrix of texts (sklearn's fit_transform).
func fitVectorizer(texts []string) (*Vectorizer, *sparseRows, error) {
	if len(texts) == 0 {
		return nil, nil, fmt.Errorf("TF-IDF: no training texts")
	}
	provisional := map[string]int32{}
	var terms []string
	var counts []int // counts[k]: occurrences of term ids[k] in its document
	var ids []int32
	ptr := []int{0}
	docCount := map[int32]int{}
	for _, text := range texts {
		clear(docCount)
		ngrams(text, func(term string) {
			id, ok := provisional[term]
			if !ok {
				id = int32(len(terms))
				provisional[term] = id
				terms = append(terms, term)
			}
			docCount[id]++
		})
		for id, c := range docCount {
			ids = append(ids, id)
			counts = append(counts, c)
		}
		ptr = append(ptr, len(ids))
	}
	if len(terms) == 0 {
		return nil, nil, fmt.Errorf("TF-IDF: the %d training texts hold no word of two or more letters or digits: empty vocabulary", len(texts))
	}
	// Renumber the terms in sorted order, as sklearn does.
	order := make([]int32, len(terms))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		if terms[a] < terms[b] {
			return -1
		}
		return 1
	})
	v := &Vectorizer{Terms: make([]string, len(terms)), IDF: make([]float64, len(terms))}
	final := make([]int32, len(terms))
	for newID, oldID := range order {
		final[oldID] = int32(newID)
		v.Terms[newID] = terms[oldID]
	}
	df := make([]int, len(terms))
	for k, id := range ids {
		ids[k] = final[id]
		df[ids[k]]++
	}
	n := float64(len(texts)) + 1
	for i, d := range df {
		v.IDF[i] = math.Log(n/float64(d+1)) + 1
	}
	v.buildIndex()
	m := &sparseRows{ptr: ptr, indices: ids, data: make([]float64, len(ids)), cols: len(terms)}
	for r := range m.rows() {
		lo, hi := ptr[r], ptr[r+1]
		sortRow(ids[lo:hi], counts[lo:hi])
		for k := lo; k < hi; k++ {
			m.data[k] = float64(counts[k]) * v.IDF[ids[k]]
		}
		normalize(m.data[lo:hi])
	}
	return v, m, nil
}

// sortRow sorts one row's feature ids ascending, keeping counts aligned.
func sortRow(ids []int32, counts []int) {
	perm := make([]int, len(ids))
	for i := range perm {
		perm[i] = i
	}
	slices.SortFunc(perm, func(a, b int) int { return int(ids[a]) - int(ids[b]) })
	sortedIDs := make([]int32, len(ids))
	sortedCounts := make([]int, len(ids))
	for i, p := range perm {
		sortedIDs[i], sortedCounts[i] = ids[p], counts[p]
	}
	copy(ids, sortedIDs)
	copy(counts, sortedCounts)
}

// normalize scales x to unit L2 norm (all-zero rows stay zero).
func normalize(x []float64) {
	var ss float64
	for _, v := range x {
		ss += v * v
	}
	if ss == 0 {
		return
	}
	norm := math.Sqrt(ss)
	for i := range x {
		x[i] /= norm
	}
}

func (v *Vectorizer) buildIndex() {
	v.index = make(map[string]int32, len(v.Terms))
	for i, t := range v.Terms {
		v.index[t] = int32(i)
	}
}

// Transform returns the TF-IDF vector of text as ascending feature ids and
// their values (sklearn's transform: terms outside the vocabulary are
// ignored, so a text with none of them is the zero vector).
func (v *Vectorizer) Transform(text string) (ids []int32, values []float64) {
	count := map[int32]int{}
	ngrams(text, func(term string) {
		if id, ok := v.index[term]; ok {
			count[id]++
		}
	})
	ids = make([]int32, 0, len(count))
	for id := range count {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	values = make([]float64, len(ids))
	for i, id := range ids {
		values[i] = float64(count[id]) * v.IDF[id]
	}
	normalize(values)
	return ids, values
}
