#!/usr/bin/env python3
"""Keras weight files in CuDNNLSTM's and CuDNNGRU's layout, for ketl's tests.

Keras's CuDNNLSTM and CuDNNGRU need a GPU to run, and tf_keras no longer has
them, but their weight files live on: each gate's input kernel column-major,
each recurrent kernel transposed, two biases per gate. Keras converts them
when an LSTM, or a GRU with reset_after=True, loads such a file
(hdf5_format.py's _convert_rnn_weights). This script makes such files the
other way: it draws an LSTM's (or GRU's) weights, converts them to cuDNN's
layout with tf_keras's own function (its LSTM -> CuDNNLSTM direction), writes
them into the layer's group of a save_weights file, and checks that tf_keras
loads the file back into the plain layer and predicts what the drawn weights
predict. It writes, beside this script, keras_h5/cudnn_<case>.h5 and
keras_h5/cudnn_<case>.npz (x, and y = the model's prediction).

Run with tf_keras (`pip install tensorflow-cpu tf-keras`); the suite reads the
committed files.
"""
import os
import sys

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import h5py  # noqa: E402
import tf_keras as keras  # noqa: E402
from tf_keras.src.saving.legacy import hdf5_format  # noqa: E402

L = keras.layers
rng = np.random.default_rng(20261201)
HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "keras_h5")


def cudnn(layer, weights):
    """The weights in cuDNN's layout: _convert_rnn_weights reads only its
    target's class name, so a stand-in of that name is the target."""
    name = "CuDNNLSTM" if isinstance(layer, L.LSTM) else "CuDNNGRU"
    return hdf5_format._convert_rnn_weights(type(name, (), {})(), weights)


def rnn_layers(model):
    """Each RNN of the model, with the index of its first weight in
    model.get_weights(): a Bidirectional's forward, then backward layer."""
    out, at = [], 0
    for layer in model.layers:
        subs = ([layer.forward_layer, layer.backward_layer]
                if isinstance(layer, L.Bidirectional) else [layer])
        for sub in subs:
            if isinstance(sub, (L.LSTM, L.GRU)):
                out.append((sub, at))
            at += len(sub.get_weights())
    return out


CASES = {
    "lstm": (lambda: keras.Sequential([
        L.InputLayer((5, 3)),
        L.LSTM(4, recurrent_activation="sigmoid", return_sequences=True)]), (2, 5, 3)),
    "gru": (lambda: keras.Sequential([
        L.InputLayer((5, 3)),
        L.GRU(4, recurrent_activation="sigmoid", reset_after=True, return_sequences=True)]),
        (2, 5, 3)),
    "bilstm": (lambda: keras.Sequential([
        L.InputLayer((4, 3)),
        L.Bidirectional(L.LSTM(3, recurrent_activation="sigmoid")),
        L.Dense(2)]), (2, 4, 3)),
}


def main():
    for name, (make, shape) in CASES.items():
        model = make()
        weights = [rng.uniform(-0.6, 0.6, size=w.shape).astype(np.float32)
                   for w in model.get_weights()]
        model.set_weights(weights)
        x = rng.uniform(-1.5, 1.5, size=shape).astype(np.float32)
        y = model.predict(x, verbose=0)
        path = os.path.join(HERE, f"cudnn_{name}.h5")
        model.save_weights(path)
        # The RNNs' weights in cuDNN's layout, dataset by dataset, in the
        # order of model.get_weights() (the file's order too).
        layout = list(weights)
        for layer, at in rnn_layers(model):
            layout[at:at + 3] = cudnn(layer, weights[at:at + 3])
        with h5py.File(path, "r+") as f:
            k = 0
            for layer_name in f.attrs["layer_names"]:
                g = f[layer_name]
                for wname in g.attrs["weight_names"]:
                    old = g[wname]
                    if old.shape != layout[k].shape or not np.array_equal(old[()], layout[k]):
                        del g[wname]
                        g.create_dataset(wname, data=layout[k])
                    k += 1
            assert k == len(layout), (k, len(layout))
        again = make()
        again.load_weights(path)
        got = again.predict(x, verbose=0)
        assert np.allclose(got, y, atol=1e-6), np.abs(got - y).max()
        np.savez(os.path.join(HERE, f"cudnn_{name}.npz"), x=x, y=y)
        print(f"cudnn_{name}: tf_keras {keras.__version__} loads it back, max diff "
              f"{np.abs(got - y).max():.2e}", file=sys.stderr)
    # A GRU without reset_after cannot take CuDNNGRU's weights (Keras refuses).
    plain = keras.Sequential([L.InputLayer((5, 3)), L.GRU(4, reset_after=False,
                                                          return_sequences=True)])
    try:
        plain.load_weights(os.path.join(HERE, "cudnn_gru.h5"))
    except ValueError as e:
        print(f"GRU(reset_after=False) refuses it: {e}", file=sys.stderr)
    else:
        raise SystemExit("tf_keras loaded CuDNNGRU weights into GRU(reset_after=False)")


if __name__ == "__main__":
    main()
