"""The demo MLP (784-256-128-10) on Fashion-MNIST in PyTorch, as
fashion_mnist_ketl.cpp: Adam (lr 0.001), batch 32, 10 epochs, shuffled, one
thread, Glorot-uniform kernels and zero biases (Keras's defaults, which
ketl follows). Prints the median epoch time and the test accuracy.

Usage: fashion_mnist_torch.py [epochs]
"""
import gzip
import statistics
import sys
import time

import numpy as np
import torch

D = "/usr/share/datasets/fashion-mnist/"


def idx(name, offset):
    with gzip.open(D + name) as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
torch.set_num_threads(1)
torch.manual_seed(1)
x_train = torch.from_numpy(idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 784).astype(np.float32) / 255)
y_train = torch.from_numpy(idx("train-labels-idx1-ubyte.gz", 8).astype(np.int64))
x_test = torch.from_numpy(idx("t10k-images-idx3-ubyte.gz", 16).reshape(-1, 784).astype(np.float32) / 255)
y_test = torch.from_numpy(idx("t10k-labels-idx1-ubyte.gz", 8).astype(np.int64))

model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128),
                            torch.nn.ReLU(), torch.nn.Linear(128, 10))
for m in model:
    if isinstance(m, torch.nn.Linear):
        torch.nn.init.xavier_uniform_(m.weight)
        torch.nn.init.zeros_(m.bias)
# Keras's Adam epsilon is 1e-7 (K.epsilon()); PyTorch's default 1e-8.
opt = torch.optim.Adam(model.parameters(), lr=0.001, eps=1e-7)
loss_fn = torch.nn.CrossEntropyLoss()
times = []
for epoch in range(epochs):
    start = time.perf_counter()
    perm = torch.randperm(len(x_train))
    for s in range(0, len(x_train), 32):
        i = perm[s:s + 32]
        opt.zero_grad()
        loss_fn(model(x_train[i]), y_train[i]).backward()
        opt.step()
    times.append(time.perf_counter() - start)
with torch.no_grad():
    acc = (model(x_test).argmax(1) == y_test).float().mean().item()
print(f"pytorch epoch_median_s {statistics.median(times):.3f} test_acc {acc:.4f}")
