#!/usr/bin/env python3
"""Keras-layout .h5 files written with h5py alone, for the forms real files
take that ketl's own writer and tf_keras do not both produce
(tests/unit/test_keras_h5.cpp). Needs numpy and h5py (Debian's python3-h5py):
/usr/bin/python3 tests/golden/make_h5py_files.py

- split_vlen.h5: Dense(4, relu) -> Dense(2). layer_names split into
  layer_names0 and layer_names1 (Keras's form for lists over 64 KB),
  variable-length str attributes (h5py 3's form, as tf.keras 2.x writes
  them), keras_version "2.15.0", and tf.keras's extra top_level_model_weights
  group (an empty float64 weight_names, not among layer_names).
- lstm_cell.h5: LSTM(3) in tf.keras's naming ("lstm/lstm_cell/kernel:0"),
  recurrent_activation sigmoid, fixed-length names.
- float64.h5: Dense(2) with float64 datasets.
- keras1.h5: a Dense with no keras_version attribute (Keras 1's files).
Each file's input and the prediction of a NumPy forward pass go to
h5py_predictions.npz (`<name>__x`, `<name>__y`).
"""
import os

import h5py
import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "keras_h5")
rng = np.random.default_rng(7)
VLEN = h5py.string_dtype("ascii")


def u(*shape):
    return rng.uniform(-0.6, 0.6, shape).astype(np.float32)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def split_vlen(arrays):
    w1, b1, w2, b2 = u(6, 4), u(4), u(4, 2), u(2)
    x = rng.standard_normal((3, 6)).astype(np.float32)
    arrays["split_vlen__x"] = x
    arrays["split_vlen__y"] = np.maximum(x @ w1 + b1, 0) @ w2 + b2
    with h5py.File(os.path.join(OUT, "split_vlen.h5"), "w") as f:
        f.attrs["backend"] = "tensorflow"
        f.attrs["keras_version"] = "2.15.0"
        f.attrs.create("layer_names0", ["dense"], dtype=VLEN)
        f.attrs.create("layer_names1", ["dense_1"], dtype=VLEN)
        for name, (k, b) in {"dense": (w1, b1), "dense_1": (w2, b2)}.items():
            g = f.create_group(name)
            g.attrs.create("weight_names", [name + "/kernel:0", name + "/bias:0"], dtype=VLEN)
            g[name + "/kernel:0"] = k
            g[name + "/bias:0"] = b
        f.create_group("top_level_model_weights").attrs["weight_names"] = np.asarray([])


def lstm_cell(arrays):
    units, steps, feat = 3, 4, 2
    k, rk, b = u(feat, 4 * units), u(units, 4 * units), u(4 * units)
    x = rng.standard_normal((2, steps, feat)).astype(np.float32)
    h = np.zeros((2, units), np.float32)
    c = np.zeros((2, units), np.float32)
    for t in range(steps):  # gates i, f, c, o
        z = x[:, t] @ k + h @ rk + b
        i, f_, g, o = np.split(z, 4, axis=1)
        c = sigmoid(f_) * c + sigmoid(i) * np.tanh(g)
        h = sigmoid(o) * np.tanh(c)
    arrays["lstm_cell__x"] = x
    arrays["lstm_cell__y"] = h
    with h5py.File(os.path.join(OUT, "lstm_cell.h5"), "w") as f:
        f.attrs["backend"] = np.bytes_(b"tensorflow")
        f.attrs["keras_version"] = np.bytes_(b"2.4.0")
        f.attrs["layer_names"] = np.asarray([b"lstm"])
        g = f.create_group("lstm")
        names = [b"lstm/lstm_cell/kernel:0", b"lstm/lstm_cell/recurrent_kernel:0",
                 b"lstm/lstm_cell/bias:0"]
        g.attrs["weight_names"] = np.asarray(names)
        for n, v in zip(names, (k, rk, b)):
            g[n.decode()] = v


def float64(arrays):
    k, b = rng.uniform(-1, 1, (3, 2)), rng.uniform(-1, 1, 2)
    x = rng.standard_normal((2, 3)).astype(np.float32)
    arrays["float64__x"] = x
    arrays["float64__y"] = x @ k.astype(np.float32) + b.astype(np.float32)
    with h5py.File(os.path.join(OUT, "float64.h5"), "w") as f:
        f.attrs["backend"] = np.bytes_(b"tensorflow")
        f.attrs["keras_version"] = np.bytes_(b"2.2.4")
        f.attrs["layer_names"] = np.asarray([b"dense_1"])
        g = f.create_group("dense_1")
        g.attrs["weight_names"] = np.asarray([b"dense_1/kernel:0", b"dense_1/bias:0"])
        g["dense_1/kernel:0"] = k
        g["dense_1/bias:0"] = b


def keras1(arrays):
    with h5py.File(os.path.join(OUT, "keras1.h5"), "w") as f:
        f.attrs["layer_names"] = np.asarray([b"dense_1"])
        g = f.create_group("dense_1")
        g.attrs["weight_names"] = np.asarray([b"dense_1_W", b"dense_1_b"])
        g["dense_1_W"] = u(3, 2)
        g["dense_1_b"] = u(2)


def main():
    arrays = {}
    for make in (split_vlen, lstm_cell, float64, keras1):
        make(arrays)
    np.savez(os.path.join(OUT, "h5py_predictions.npz"), **arrays)


if __name__ == "__main__":
    main()
