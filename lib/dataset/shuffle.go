package dataset

import (
	"fmt"
	"math"

	"github.com/polarityml/polarity/lib/nprand"
)

// ShuffleIndices returns numpy.random.default_rng(seed).permutation(n): the
// order Hugging Face datasets' Dataset.shuffle(seed=seed) puts n rows in. It is
// bit-for-bit numpy's algorithm (SeedSequence → PCG64 → Fisher–Yates with
// masked-rejection bounded integers), so dataset.shuffle(seed=42).select(range(k))
// picks the same rows as ShuffleIndices(n, 42)[:k]. (numpy's shuffle draws
// with random_interval, masked rejection sampling, not Lemire's method.)
func ShuffleIndices(n int, seed uint64) []int {
	return nprand.New(seed).Permutation(n)
}

// TrainTestSplit returns the row indices of HF datasets'
// Dataset.train_test_split(test_size=testSize, seed=seed) on n rows:
// n_test = ceil(testSize·n) rows are the first of ShuffleIndices(n, seed) and
// the remaining n - n_test rows form the train split, in permutation order.
func TrainTestSplit(n int, testSize float64, seed uint64) (train, test []int, err error) {
	if !(testSize > 0 && testSize < 1) {
		return nil, nil, fmt.Errorf("test size %v must be a fraction strictly between 0 and 1 (e.g. 0.3)", testSize)
	}
	nTest := int(math.Ceil(testSize * float64(n)))
	nTrain := n - nTest
	if nTrain <= 0 || nTest <= 0 {
		return nil, nil, fmt.Errorf("splitting %d rows with test size %v leaves an empty split; use more rows", n, testSize)
	}
	perm := ShuffleIndices(n, seed)
	return perm[nTest:], perm[:nTest], nil
}
