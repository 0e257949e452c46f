"""PyTorch on the peers' workload: 784-128-10 relu, cross-entropy on the
logits (softmax folded into the loss, as PyTorch programs write it), plain
SGD (lr 0.01), one epoch, no shuffling, one thread. Kernels are drawn
Glorot-uniform, as Keras's and ketl's.

Usage: torch_mlp.py <batch> <data directory>
"""
import pathlib
import sys

import numpy as np
import torch

from torch_epoch import sgd_epoch

torch.set_num_threads(1)
torch.manual_seed(1)
batch = int(sys.argv[1])
d = pathlib.Path(sys.argv[2])
x = torch.from_numpy(np.fromfile(d / "x.f32", dtype=np.float32).reshape(60000, 784))
y = torch.from_numpy(np.fromfile(d / "y.u8", dtype=np.uint8).astype(np.int64))

model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
for m in model:
    if isinstance(m, torch.nn.Linear):
        torch.nn.init.xavier_uniform_(m.weight)
        torch.nn.init.zeros_(m.bias)
sgd_epoch(model, x, y, batch, name="pytorch")  # run.sh reads "pytorch"
