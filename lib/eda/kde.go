package eda

import (
	"fmt"
	"math"
)

// KDE is a one-dimensional Gaussian kernel density estimate with Scott's
// bandwidth rule, equal to scipy.stats.gaussian_kde(data) (bw_method="scott").
type KDE struct {
	data []float64
	// Bandwidth is the kernel's standard deviation: the data's sample
	// standard deviation (ddof=1) times Scott's factor n^(-1/5).
	Bandwidth float64
}

// NewKDE fits a KDE to data. It needs at least two distinct finite values
// (scipy fails on a singular covariance too).
func NewKDE(data []float64) (*KDE, error) {
	n := len(data)
	if n < 2 {
		return nil, fmt.Errorf("kernel density estimate: need at least 2 values, got %d", n)
	}
	var mean float64
	for _, x := range data {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("kernel density estimate: value %g is not finite", x)
		}
		mean += x
	}
	mean /= float64(n)
	var ss float64
	for _, x := range data {
		ss += (x - mean) * (x - mean)
	}
	variance := ss / float64(n-1)
	if variance == 0 {
		return nil, fmt.Errorf("kernel density estimate: all %d values equal %g, so the density has no width", n, data[0])
	}
	scott := math.Pow(float64(n), -1.0/5.0)
	return &KDE{data: data, Bandwidth: math.Sqrt(variance) * scott}, nil
}

// Density evaluates the estimated probability density at x.
func (k *KDE) Density(x float64) float64 {
	h := k.Bandwidth
	norm := 1 / (h * math.Sqrt(2*math.Pi) * float64(len(k.data)))
	var sum float64
	for _, xi := range k.data {
		z := (x - xi) / h
		sum += math.Exp(-0.5 * z * z)
	}
	return sum * norm
}

// Curve evaluates the density at points equally spaced over [lo, hi].
func (k *KDE) Curve(lo, hi float64, points int) (xs, ys []float64) {
	points = max(points, 2)
	xs = make([]float64, points)
	ys = make([]float64, points)
	step := (hi - lo) / float64(points-1)
	for i := range xs {
		xs[i] = lo + float64(i)*step
		ys[i] = k.Density(xs[i])
	}
	return xs, ys
}
