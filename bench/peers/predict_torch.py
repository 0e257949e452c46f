"""PyTorch's side of predict_ketl.cpp: the same 784-128-10 MLP (softmax
applied, as ketl's predict returns probabilities), one thread, no_grad;
the median time per call for one sample and for 1,000 rows.

Usage: predict_torch.py <data directory>
"""
import pathlib
import statistics
import sys
import time

import numpy as np
import torch

torch.set_num_threads(1)
torch.manual_seed(1)
d = pathlib.Path(sys.argv[1])
x = torch.from_numpy(np.fromfile(d / "x.f32", dtype=np.float32).reshape(60000, 784))
model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10),
                            torch.nn.Softmax(dim=1))
model.eval()


def median_seconds(calls, f):
    times = []
    for i in range(calls):
        start = time.perf_counter()
        f(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


with torch.no_grad():
    one = median_seconds(5000, lambda i: model(x[i:i + 1].clone()))
    rows = median_seconds(200, lambda i: model(x[(i % 60) * 1000:(i % 60) * 1000 + 1000].clone()))
print(f"pytorch one-sample {one * 1e6:.2f} us, 1000 rows {rows * 1e3:.3f} ms")
