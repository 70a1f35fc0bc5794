#!/usr/bin/python3
"""Golden values for lib/dataset's numpy-exact shuffling.

Writes lib/dataset/testdata/shuffle_golden.json and
lib/nprand/testdata/nprand_golden.json from numpy itself (Debian's
python3-numpy; run with /usr/bin/python3 from the repository root):

  - permutations: np.random.default_rng(seed).permutation(n), i.e. what HF
    datasets' Dataset.shuffle(seed=seed) applies: the first and last indices
    and a checksum over the whole permutation;
  - integers: default_rng(seed).integers(0, high, size) (Lemire bounded ints),
    random: default_rng(seed).random(size), raw: PCG64(seed).random_raw(size);
  - splits: HF datasets' Dataset.train_test_split(test_size, seed=seed) index
    logic: n_test = ceil(test_size * n), n_train = n - n_test,
    perm = default_rng(seed).permutation(n), test = perm[:n_test],
    train = perm[n_test:n_test + n_train].
"""
import json
import math
import os

import numpy as np

HEAD = 20
MASK64 = (1 << 64) - 1


def checksum(perm):
    """sum((i+1) * perm[i]) mod 2**64, an order-sensitive digest."""
    p = perm.astype(np.uint64)
    w = np.arange(1, len(perm) + 1, dtype=np.uint64)
    return int(np.sum(p * w, dtype=np.uint64)) & MASK64


def main():
    perms = []
    for n, seed in [(0, 42), (1, 42), (2, 0), (10, 42), (10, 0), (1000, 1), (20000, 42),
                    (400000, 42), (3600000, 42), (12345, 2**32 + 5), (777, 2**63 + 11)]:
        p = np.random.default_rng(seed).permutation(n)
        perms.append({"n": n, "seed": seed, "head": p[:HEAD].tolist(),
                      "tail": p[-HEAD:].tolist() if n else [], "checksum": checksum(p)})
    ints = []
    for seed, high in [(42, 10), (0, 2**31 + 3), (7, 2**32), (9, 2**40 + 17), (123, 3)]:
        v = np.random.default_rng(seed).integers(0, high, size=50, dtype=np.uint64)
        ints.append({"seed": seed, "high": high, "values": [int(x) for x in v]})
    floats = []
    for seed in [0, 42]:
        floats.append({"seed": seed, "values": np.random.default_rng(seed).random(20).tolist(),
                       "raw": [int(x) for x in np.random.PCG64(seed).random_raw(20)]})
    splits = []
    for n, test_size, seed in [(20000, 0.3, 42), (2000, 0.3, 42), (10, 0.3, 42), (7, 0.5, 1)]:
        n_test = math.ceil(test_size * n)
        n_train = n - n_test
        p = np.random.default_rng(seed).permutation(n)
        test, train = p[:n_test], p[n_test:n_test + n_train]
        splits.append({"n": n, "test_size": test_size, "seed": seed,
                       "n_train": int(n_train), "n_test": int(n_test),
                       "train_head": train[:HEAD].tolist(), "test_head": test[:HEAD].tolist(),
                       "train_checksum": checksum(train), "test_checksum": checksum(test)})
    write(os.path.join("lib", "dataset", "testdata", "shuffle_golden.json"),
          {"numpy": np.__version__, "permutations": perms, "splits": splits})
    write(os.path.join("lib", "nprand", "testdata", "nprand_golden.json"),
          {"numpy": np.__version__, "permutations": perms, "integers": ints, "floats": floats})


def write(path, out):
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
