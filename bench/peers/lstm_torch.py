"""PyTorch on the recurrent workload (bench/peers/lstm_ketl.cpp's model):
nn.LSTM(28, 128) over 28 timesteps, the last hidden state into a linear 10,
cross-entropy on the logits, plain SGD (lr 0.01), one epoch of the peers'
60,000 images, no shuffling, one thread. batch_first, so the images go in
as (N, 28 steps, 28 pixels), as ketl's.

Usage: lstm_torch.py <batch> <data directory>
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
x = torch.from_numpy(np.fromfile(d / "x.f32", dtype=np.float32).reshape(60000, 28, 28))
y = torch.from_numpy(np.fromfile(d / "y.u8", dtype=np.uint8).astype(np.int64))

nn = torch.nn


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(28, 128, batch_first=True)
        self.out = nn.Linear(128, 10)

    def forward(self, v):
        _, (h, _) = self.lstm(v)
        return self.out(h[-1])


model = Model()
sgd_epoch(model, x, y, batch)
