package baseline

import (
	"fmt"
	"math"
)

// lbfgsMemory is how many correction pairs L-BFGS keeps (scipy's default m=10).
const lbfgsMemory = 10

// lbfgs minimises a smooth, strictly convex function from x0 with limited-
// memory BFGS and a backtracking line search (Armijo, or strong Wolfe
// curvature once f stops resolving the decrease). fg returns f(x) and
// writes ∇f(x) into grad. It stops when every gradient component is below
// tol and returns the minimiser and the number of iterations; it fails when
// maxIter iterations do not get there or the line search stalls.
func lbfgs(fg func(x, grad []float64) float64, x0 []float64, tol float64, maxIter int) ([]float64, int, error) {
	n := len(x0)
	x := append([]float64(nil), x0...)
	g := make([]float64, n)
	f := fg(x, g)
	var ss, ys [][]float64 // correction pairs, oldest first
	var rhos []float64
	d := make([]float64, n)
	xNew := make([]float64, n)
	gNew := make([]float64, n)
	alpha := make([]float64, lbfgsMemory)
	for iter := 0; ; iter++ {
		if gmax := maxAbs(g); gmax < tol {
			return x, iter, nil
		} else if iter == maxIter {
			return x, iter, fmt.Errorf("no convergence in %d iterations (largest gradient component %.3g, want < %.3g): raise the iteration limit", iter, gmax, tol)
		}
		if !finiteAll(g) || !finite(f) {
			return x, iter, fmt.Errorf("the objective is not finite at iteration %d", iter)
		}
		// Two-loop recursion: d = −H·g.
		for i := range d {
			d[i] = -g[i]
		}
		for k := len(ss) - 1; k >= 0; k-- {
			alpha[k] = rhos[k] * dot(ss[k], d)
			axpy(-alpha[k], ys[k], d)
		}
		if k := len(ss) - 1; k >= 0 {
			scale(dot(ss[k], ys[k])/dot(ys[k], ys[k]), d)
		} else {
			scale(1/math.Max(1, norm2(g)), d) // first step: at most unit length
		}
		for k := range ss {
			beta := rhos[k] * dot(ys[k], d)
			axpy(alpha[k]-beta, ss[k], d)
		}
		slope := dot(g, d)
		if slope >= 0 { // not a descent direction (rounding): restart from the gradient
			ss, ys, rhos = ss[:0], ys[:0], rhos[:0]
			for i := range d {
				d[i] = -g[i] / math.Max(1, norm2(g))
			}
			slope = dot(g, d)
		}
		step, fNew := 1.0, 0.0
		for {
			for i := range x {
				xNew[i] = x[i] + step*d[i]
			}
			fNew = fg(xNew, gNew)
			if fNew <= f+1e-4*step*slope {
				break
			}
			// Near the optimum the decrease falls below the rounding error of
			// f (a sum over all reviews): then accept a step that keeps f
			// within that error and does not overshoot along d (the
			// directional derivative shrank: the strong Wolfe curvature
			// condition), so the gradient can still be driven below tol.
			if fNew-f <= 1e-12*math.Abs(f) && math.Abs(dot(gNew, d)) <= 0.9*math.Abs(slope) {
				break
			}
			step /= 2
			if step < 1e-20 {
				return x, iter, fmt.Errorf("line search stalled at iteration %d (largest gradient component %.3g, want < %.3g)", iter, maxAbs(g), tol)
			}
		}
		s := make([]float64, n)
		yk := make([]float64, n)
		for i := range s {
			s[i] = xNew[i] - x[i]
			yk[i] = gNew[i] - g[i]
		}
		if sy := dot(s, yk); sy > 1e-12*norm2(s)*norm2(yk) {
			if len(ss) == lbfgsMemory {
				ss, ys, rhos = ss[1:], ys[1:], rhos[1:]
			}
			ss, ys, rhos = append(ss, s), append(ys, yk), append(rhos, 1/sy)
		}
		copy(x, xNew)
		copy(g, gNew)
		f = fNew
	}
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// axpy sets y += a·x.
func axpy(a float64, x, y []float64) {
	for i := range x {
		y[i] += a * x[i]
	}
}

func scale(a float64, x []float64) {
	for i := range x {
		x[i] *= a
	}
}

func norm2(x []float64) float64 { return math.Sqrt(dot(x, x)) }

func maxAbs(x []float64) float64 {
	var m float64
	for _, v := range x {
		m = max(m, math.Abs(v))
	}
	return m
}

func finiteAll(x []float64) bool {
	for _, v := range x {
		if !finite(v) {
			return false
		}
	}
	return true
}
