package eda

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// ErrNoData is returned when a statistic or plot is asked of no values.
var ErrNoData = errors.New("no values")

// Histogram is a histogram with equal-width bins: Counts[i] counts values in
// [Edges[i], Edges[i+1]), the last bin also holding its right edge.
type Histogram struct {
	Edges  []float64 `json:"edges"`
	Counts []int64   `json:"counts"`
}

// Total is the number of values counted.
func (h Histogram) Total() int64 {
	var n int64
	for _, c := range h.Counts {
		n += c
	}
	return n
}

// Width is the bin width.
func (h Histogram) Width() float64 {
	if len(h.Edges) < 2 {
		return 0
	}
	return h.Edges[1] - h.Edges[0]
}

// sample is what numpy's bins="auto" needs to know about a data set.
type sample interface {
	size() int64
	minMax() (float64, float64)
	quantile(q float64) float64
	// each calls f(value, multiplicity) for every distinct value.
	each(f func(v float64, count int64))
}

// autoHistogram reproduces numpy.histogram(x, bins="auto") (numpy 1.24):
// bin width min(Freedman–Diaconis, Sturges) (Sturges alone when the IQR is
// 0), equal bins from min to max built like numpy.linspace, and numpy's
// rounding-safe bin assignment.
func autoHistogram(s sample) (Histogram, error) {
	n := s.size()
	if n == 0 {
		return Histogram{}, ErrNoData
	}
	lo, hi := s.minMax()
	if math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return Histogram{}, fmt.Errorf("histogram: values must be finite (range [%g, %g])", lo, hi)
	}
	first, last := lo, hi
	if first == last {
		first, last = first-0.5, last+0.5
	}
	sturges := (hi - lo) / (math.Log2(float64(n)) + 1)
	fd := 2 * (s.quantile(0.75) - s.quantile(0.25)) * math.Pow(float64(n), -1.0/3.0)
	width := sturges
	if fd != 0 {
		width = min(fd, sturges)
	}
	bins := 1
	if width != 0 {
		bins = int(math.Ceil((last - first) / width))
	}
	edges := make([]float64, bins+1)
	step := (last - first) / float64(bins)
	for i := range edges {
		edges[i] = float64(i)*step + first
	}
	edges[bins] = last
	counts := make([]int64, bins)
	s.each(func(v float64, c int64) {
		i := int((v - first) / (last - first) * float64(bins))
		if i == bins {
			i--
		}
		if v < edges[i] {
			i--
		}
		if v >= edges[i+1] && i != bins-1 {
			i++
		}
		counts[i] += c
	})
	return Histogram{Edges: edges, Counts: counts}, nil
}

// lerp is numpy's _lerp: a + (b-a)t, computed from b when t >= 0.5.
func lerp(a, b, t float64) float64 {
	if t >= 0.5 {
		return b - (b-a)*(1-t)
	}
	return a + (b-a)*t
}

// quantileSorted is numpy.quantile(x, q) (method "linear") of sorted x.
func quantileSorted(x []float64, q float64) float64 {
	h := float64(len(x)-1) * q
	i := math.Floor(h)
	lo := int(i)
	if lo >= len(x)-1 {
		return x[len(x)-1]
	}
	return lerp(x[lo], x[lo+1], h-i)
}

// Values is a set of real numbers (e.g. mean word lengths) with the same
// statistics as IntDist.
type Values struct {
	x      []float64
	sorted bool
}

// Add appends one value.
func (v *Values) Add(x float64) { v.x = append(v.x, x); v.sorted = false }

// Slice returns the values in insertion order until the first statistic is
// asked for, sorted after that.
func (v *Values) Slice() []float64 { return v.x }

func (v *Values) sort() {
	if !v.sorted {
		slices.Sort(v.x)
		v.sorted = true
	}
}

func (v *Values) size() int64 { return int64(len(v.x)) }
func (v *Values) minMax() (float64, float64) {
	v.sort()
	return v.x[0], v.x[len(v.x)-1]
}
func (v *Values) quantile(q float64) float64 { v.sort(); return quantileSorted(v.x, q) }
func (v *Values) each(f func(float64, int64)) {
	for _, x := range v.x {
		f(x, 1)
	}
}

// N is the number of values.
func (v *Values) N() int64 { return int64(len(v.x)) }

// Summary returns count, mean, quantiles and extremes (ErrNoData when empty).
func (v *Values) Summary() (Stats, error) {
	if len(v.x) == 0 {
		return Stats{}, ErrNoData
	}
	var sum float64
	for _, x := range v.x {
		sum += x
	}
	return statsOf(v, sum/float64(len(v.x))), nil
}

// Histogram is numpy.histogram(values, bins="auto").
func (v *Values) Histogram() (Histogram, error) { return autoHistogram(v) }

// IntDist is the exact distribution of a non-negative integer quantity
// (characters or words per review) kept as value counts, so that quantiles
// and histograms of millions of reviews are exact in memory proportional to
// the largest value, not to the number of reviews.
type IntDist struct {
	dense  []int64 // dense[v] counts value v < denseLimit
	sparse map[int]int64
	n      int64
	sum    int64
}

const denseLimit = 1 << 16

// Add counts one value; negative values are counted as 0.
func (d *IntDist) Add(v int) {
	v = max(v, 0)
	d.n++
	d.sum += int64(v)
	if v < denseLimit {
		if v >= len(d.dense) {
			d.dense = append(d.dense, make([]int64, v+1-len(d.dense))...)
		}
		d.dense[v]++
		return
	}
	if d.sparse == nil {
		d.sparse = make(map[int]int64)
	}
	d.sparse[v]++
}

// N is the number of values.
func (d *IntDist) N() int64 { return d.n }

func (d *IntDist) size() int64 { return d.n }

// values lists the distinct values in increasing order with their counts.
func (d *IntDist) values(f func(v int, c int64) bool) {
	for v, c := range d.dense {
		if c > 0 && !f(v, c) {
			return
		}
	}
	big := make([]int, 0, len(d.sparse))
	for v := range d.sparse {
		big = append(big, v)
	}
	slices.Sort(big)
	for _, v := range big {
		if !f(v, d.sparse[v]) {
			return
		}
	}
}

func (d *IntDist) each(f func(float64, int64)) {
	d.values(func(v int, c int64) bool { f(float64(v), c); return true })
}

func (d *IntDist) minMax() (float64, float64) {
	lo, hi, first := 0, 0, true
	d.values(func(v int, _ int64) bool {
		if first {
			lo, first = v, false
		}
		hi = v
		return true
	})
	return float64(lo), float64(hi)
}

// orderStat returns the k-th smallest value (0-based).
func (d *IntDist) orderStat(k int64) float64 {
	var seen int64
	var out int
	d.values(func(v int, c int64) bool {
		seen += c
		out = v
		return seen <= k
	})
	return float64(out)
}

func (d *IntDist) quantile(q float64) float64 {
	h := float64(d.n-1) * q
	i := math.Floor(h)
	lo := int64(i)
	if lo >= d.n-1 {
		return d.orderStat(d.n - 1)
	}
	return lerp(d.orderStat(lo), d.orderStat(lo+1), h-i)
}

// Summary returns count, mean, quantiles and extremes (ErrNoData when empty).
func (d *IntDist) Summary() (Stats, error) {
	if d.n == 0 {
		return Stats{}, ErrNoData
	}
	return statsOf(d, float64(d.sum)/float64(d.n)), nil
}

// Histogram is numpy.histogram(values, bins="auto") of the values.
func (d *IntDist) Histogram() (Histogram, error) { return autoHistogram(d) }

// Stats summarises a distribution; quantiles are numpy/pandas "linear".
type Stats struct {
	Count  int64   `json:"count"`
	Mean   float64 `json:"mean"`
	Min    float64 `json:"min"`
	Median float64 `json:"median"`
	P95    float64 `json:"p95"`
	Max    float64 `json:"max"`
}

func statsOf(s sample, mean float64) Stats {
	lo, hi := s.minMax()
	return Stats{Count: s.size(), Mean: mean, Min: lo, Median: s.quantile(0.5), P95: s.quantile(0.95), Max: hi}
}
