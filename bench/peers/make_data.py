"""Writes the peers' shared workload: 60,000 samples of 784 uniform floats in
[0, 1) (x.f32, row-major) and 60,000 labels in 0..9 (y.u8), from seed 1, so
that every program trains on the same bytes.

Usage: make_data.py <directory>
"""
import pathlib
import sys

import numpy as np

out = pathlib.Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(1)
rng.random((60000, 784), dtype=np.float32).tofile(out / "x.f32")
rng.integers(0, 10, 60000, dtype=np.uint8).tofile(out / "y.u8")
