"""PyTorch on the convnet workload (bench/peers/cnn_ketl.cpp's model): conv
32 3x3 relu, max pool 2, conv 64 3x3 relu, max pool 2, linear 128 relu,
dropout 0.5, linear 10, cross-entropy on the logits, plain SGD (lr 0.01),
one epoch of the peers' 60,000 28x28 images, no shuffling, one thread.
PyTorch is channels-first, so the images go in as (N, 1, 28, 28).

Usage: cnn_torch.py <batch> <data directory>
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
x = torch.from_numpy(np.fromfile(d / "x.f32", dtype=np.float32).reshape(60000, 1, 28, 28))
y = torch.from_numpy(np.fromfile(d / "y.u8", dtype=np.uint8).astype(np.int64))

nn = torch.nn
model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                      nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                      nn.Linear(1600, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10))
for m in model:
    if isinstance(m, (nn.Linear, nn.Conv2d)):
        nn.init.xavier_uniform_(m.weight)
        nn.init.zeros_(m.bias)
sgd_epoch(model, x, y, batch)
