package eda

import (
	"encoding/json"
	"fmt"
	"sort"
)

// TermCount is one counted term (a word or a space-joined n-gram). MaxOver is
// how much Count may exceed the true count; it is 0 whenever the counter never
// had to evict a term (see Counter).
type TermCount struct {
	Term    string
	Count   int64
	MaxOver int64
}

// MarshalJSON writes [term, count], the shape `polarity eda ngrams` prints.
func (tc TermCount) MarshalJSON() ([]byte, error) {
	return json.Marshal([]any{tc.Term, tc.Count})
}

// UnmarshalJSON reads [term, count].
func (tc *TermCount) UnmarshalJSON(data []byte) error {
	var pair []json.RawMessage
	if err := json.Unmarshal(data, &pair); err != nil || len(pair) != 2 {
		return fmt.Errorf("term count: want [term, count], got %s", data)
	}
	if err := json.Unmarshal(pair[0], &tc.Term); err != nil {
		return fmt.Errorf("term count term: %w", err)
	}
	if err := json.Unmarshal(pair[1], &tc.Count); err != nil {
		return fmt.Errorf("term count count: %w", err)
	}
	tc.MaxOver = 0
	return nil
}

// Counter counts terms. Below its capacity it is exact; once it holds
// capacity distinct terms it becomes a Space-Saving heavy-hitter summary
// (Metwally, Agrawal & El Abbadi 2005): a new term replaces the least counted
// one and inherits its count as MaxOver. Every term whose true count exceeds
// Total/capacity is then guaranteed to be present, with
// Count-MaxOver <= true count <= Count. Memory is bounded by the capacity.
type Counter struct {
	capacity int
	index    map[string]int32 // term -> slot
	slots    []slot
	heap     []int32 // slots ordered by count (min first); built on first eviction
	total    int64
	evicted  bool
}

type slot struct {
	term    string
	count   int64
	maxOver int64
	heapPos int32
}

// NewCounter returns a counter holding at most capacity distinct terms;
// capacity <= 0 means unbounded (always exact).
func NewCounter(capacity int) *Counter {
	if capacity <= 0 || capacity > 1<<31-1 {
		capacity = 1<<31 - 1
	}
	return &Counter{capacity: capacity, index: make(map[string]int32)}
}

// Add counts one occurrence of term.
func (c *Counter) Add(term string) { c.addBytesOrString(nil, term, false) }

// addBytes counts one occurrence of the term spelled by b; it allocates only
// when the term is new.
func (c *Counter) addBytes(b []byte) { c.addBytesOrString(b, "", true) }

func (c *Counter) addBytesOrString(b []byte, s string, isBytes bool) {
	c.total++
	var id int32
	var ok bool
	if isBytes {
		id, ok = c.index[string(b)]
	} else {
		id, ok = c.index[s]
	}
	if ok {
		c.slots[id].count++
		if c.heap != nil {
			c.down(int(c.slots[id].heapPos))
		}
		return
	}
	if isBytes {
		s = string(b)
	}
	if len(c.slots) < c.capacity {
		c.index[s] = int32(len(c.slots))
		c.slots = append(c.slots, slot{term: s, count: 1})
		return
	}
	if c.heap == nil {
		c.buildHeap()
	}
	c.evicted = true
	id = c.heap[0]
	sl := &c.slots[id]
	delete(c.index, sl.term)
	sl.term, sl.maxOver = s, sl.count
	sl.count++
	c.index[s] = id
	c.down(0)
}

// Total is the number of occurrences counted.
func (c *Counter) Total() int64 { return c.total }

// Distinct is the number of distinct terms held (all of them while Exact).
func (c *Counter) Distinct() int { return len(c.slots) }

// Exact reports whether no term was ever evicted, so every count is exact.
func (c *Counter) Exact() bool { return !c.evicted }

// Count returns the count of term (0 if absent).
func (c *Counter) Count(term string) int64 {
	if id, ok := c.index[term]; ok {
		return c.slots[id].count
	}
	return 0
}

// Top returns the k most counted terms, by count descending then term
// ascending (byte order, which is code-point order); k <= 0 returns all.
func (c *Counter) Top(k int) []TermCount {
	return c.sorted(k, func(a, b *slot, ia, ib int) bool {
		if a.count != b.count {
			return a.count > b.count
		}
		return a.term < b.term
	})
}

// MostCommon returns the k most counted terms like Python's
// collections.Counter.most_common: by count descending, ties in the order the
// terms were first counted. k <= 0 returns all.
func (c *Counter) MostCommon(k int) []TermCount {
	return c.sorted(k, func(a, b *slot, ia, ib int) bool {
		if a.count != b.count {
			return a.count > b.count
		}
		return ia < ib
	})
}

func (c *Counter) sorted(k int, less func(a, b *slot, ia, ib int) bool) []TermCount {
	order := make([]int, len(c.slots))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(i, j int) bool {
		return less(&c.slots[order[i]], &c.slots[order[j]], order[i], order[j])
	})
	if k > 0 && k < len(order) {
		order = order[:k]
	}
	out := make([]TermCount, len(order))
	for i, id := range order {
		s := &c.slots[id]
		out[i] = TermCount{Term: s.term, Count: s.count, MaxOver: s.maxOver}
	}
	return out
}

func (c *Counter) buildHeap() {
	c.heap = make([]int32, len(c.slots))
	for i := range c.heap {
		c.heap[i] = int32(i)
		c.slots[i].heapPos = int32(i)
	}
	for i := len(c.heap)/2 - 1; i >= 0; i-- {
		c.down(i)
	}
}

// down restores the min-heap property below heap position i after the count
// at i grew.
func (c *Counter) down(i int) {
	h := c.heap
	n := len(h)
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && c.slots[h[r]].count < c.slots[h[l]].count {
			m = r
		}
		if c.slots[h[i]].count <= c.slots[h[m]].count {
			break
		}
		h[i], h[m] = h[m], h[i]
		c.slots[h[i]].heapPos = int32(i)
		c.slots[h[m]].heapPos = int32(m)
		i = m
	}
}

// MergeTop sums the counts of several counters (e.g. one per class) and
// returns the k largest by count descending, then term ascending; MaxOver
// bounds add up.
func MergeTop(k int, counters ...*Counter) []TermCount {
	merged := NewCounter(0)
	for _, c := range counters {
		for id := range c.slots {
			s := &c.slots[id]
			mid, ok := merged.index[s.term]
			if !ok {
				mid = int32(len(merged.slots))
				merged.index[s.term] = mid
				merged.slots = append(merged.slots, slot{term: s.term})
			}
			merged.slots[mid].count += s.count
			merged.slots[mid].maxOver += s.maxOver
		}
	}
	return merged.Top(k)
}
