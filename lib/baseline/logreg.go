package baseline

import (
	"fmt"
	"math"
)

// logisticFit is the solution of an L2-regularised logistic regression.
type logisticFit struct {
	coef       []float64
	intercept  float64
	iterations int
}

// fitLogistic minimises scikit-learn's LogisticRegression(penalty="l2", C)
// objective for binary labels y ∈ {0, 1}:
//
//	Σᵢ [log(1 + exp(zᵢ)) − yᵢ zᵢ] + ‖w‖² / (2C),  z = X w + b
//
// (the intercept b is not penalised) with L-BFGS until the largest gradient
// component is below tol. The objective is strictly convex, so any solver
// that converges reaches sklearn's optimum.
func fitLogistic(x *sparseRows, y []float64, c, tol float64, maxIter int) (*logisticFit, error) {
	n, d := x.rows(), x.cols
	// objective is the loss at params = (w…, b), writing its gradient into grad.
	objective := func(params, grad []float64) float64 {
		w, b := params[:d], params[d]
		var f, ww, gb float64
		for j := range d {
			ww += w[j] * w[j]
			grad[j] = w[j] / c
		}
		for i := range n {
			z := b
			for k := x.ptr[i]; k < x.ptr[i+1]; k++ {
				z += x.data[k] * w[x.indices[k]]
			}
			f += log1pExp(z) - y[i]*z
			r := sigmoid(z) - y[i]
			gb += r
			for k := x.ptr[i]; k < x.ptr[i+1]; k++ {
				grad[x.indices[k]] += r * x.data[k]
			}
		}
		grad[d] = gb
		return f + ww/(2*c)
	}
	params, iterations, err := lbfgs(objective, make([]float64, d+1), tol, maxIter)
	if err != nil {
		return nil, fmt.Errorf("logistic regression: %w", err)
	}
	return &logisticFit{coef: params[:d], intercept: params[d], iterations: iterations}, nil
}

// sigmoid is 1/(1+exp(−z)) without overflow.
func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// log1pExp is log(1+exp(z)) without overflow.
func log1pExp(z float64) float64 {
	if z > 0 {
		return z + math.Log1p(math.Exp(-z))
	}
	return math.Log1p(math.Exp(z))
}
