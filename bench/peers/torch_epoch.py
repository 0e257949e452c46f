"""One timed epoch of plain SGD (lr 0.01) with cross-entropy on the logits,
in order, as the PyTorch peers of run_model.sh run it; prints the line the
scripts' tables read: `pytorch-<version> <batch> <seconds> loss <mean>` (or
the name given)."""
import time

import torch


def sgd_epoch(model, x, y, batch, name=None):
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = torch.nn.CrossEntropyLoss()
    n = len(y)
    start = time.perf_counter()
    total = 0.0
    for s in range(0, n, batch):
        xb, yb = x[s:s + batch], y[s:s + batch]
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        total += loss.item() * len(xb)
    elapsed = time.perf_counter() - start
    name = name or "pytorch-" + torch.__version__.split("+")[0]
    print(f"{name} {batch} {elapsed:.4f} loss {total / n:.4f}")
