#!/usr/bin/env python3
"""Keras-written .h5 weight files for ketl's tests (tests/unit/test_keras_h5.cpp).

Runs real Keras 2 (tf_keras, `pip install tensorflow-cpu tf-keras`): builds
each model below with seeded random weights (BatchNormalization's moving
statistics too), saves them with model.save_weights(<name>.h5) and the whole
model with model.save(<name>_model.h5), and writes each model's input and
Keras's prediction to predictions.npz (`<name>__x`, `<name>__y`). The test
builds the same models in ketl, loads the files and compares predictions.
The suite reads the committed files, so it runs without TensorFlow; run this
script again to regenerate them.

Keras 2.2.4's recurrent defaults (recurrent_activation='hard_sigmoid', GRU
reset_after=False) are given explicitly where ketl's default is meant: tf.keras
changed both. Layer names are tf.keras's automatic ones unless given, so the
files are topological-load cases, except `named`, which the by_name tests use.
"""
import os

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tf_keras as keras  # noqa: E402

L = keras.layers
HARD = "hard_sigmoid"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "keras_h5")
rng = np.random.default_rng(20261130)


def seq(*layers):
    return keras.Sequential(list(layers))


def functional():
    # A branching graph whose model.layers order (depth first) differs from
    # the order its layers were made: x, B, A, C, cat, out.
    x = L.Input((6,), name="x")
    a = L.Dense(4, activation="tanh", name="A")(x)
    c = L.Dense(3, activation="relu", name="C")(L.Dense(5, name="B")(x))
    out = L.Dense(2, activation="softmax", name="out")(L.Concatenate(name="cat")([a, c]))
    return keras.Model(x, out)


MODELS = {
    "dense": (lambda: seq(L.Input((6,)), L.Dense(5, activation="relu"), L.Dropout(0.5),
                          L.Dense(3, activation="softmax")), (4, 6), "float"),
    "cnn": (lambda: seq(L.Input((8, 8, 1)), L.Conv2D(3, (3, 3), activation="relu"),
                        L.MaxPooling2D(), L.BatchNormalization(), L.Flatten(), L.Dense(2)),
            (3, 8, 8, 1), "float"),
    "conv1d": (lambda: seq(L.Input((10, 3)), L.Conv1D(4, 3, activation="relu"),
                           L.GlobalMaxPooling1D(), L.Dense(2)), (3, 10, 3), "float"),
    "rnn": (lambda: seq(L.Input((7,), dtype="int32"), L.Embedding(20, 4),
                        L.LSTM(5, recurrent_activation=HARD, return_sequences=True),
                        L.GRU(3, recurrent_activation=HARD, reset_after=False),
                        L.Dense(1, activation="sigmoid")), (3, 7), "int"),
    "bidirectional": (lambda: seq(L.Input((5, 3)),
                                  L.Bidirectional(L.LSTM(4, recurrent_activation=HARD,
                                                         return_sequences=True)),
                                  L.GRU(3, recurrent_activation=HARD, reset_after=True),
                                  L.Dense(2)), (2, 5, 3), "float"),
    "time_distributed": (lambda: seq(L.Input((4, 3)), L.SimpleRNN(5, return_sequences=True),
                                     L.TimeDistributed(L.Dense(2))), (2, 4, 3), "float"),
    "functional": (functional, (4, 6), "float"),
    "named": (lambda: seq(L.Input((6,)), L.Dense(5, activation="relu", name="hidden"),
                          L.Dense(3, name="head")), (4, 6), "float"),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    arrays = {}
    for name, (make, shape, kind) in MODELS.items():
        model = make()
        model.set_weights([rng.uniform(0.1 if "moving_variance" in w.name else -0.6, 0.6,
                                       w.shape).astype(np.float32) for w in model.weights])
        if kind == "int":
            x = rng.integers(0, 20, size=shape).astype(np.int32)
        else:
            x = rng.standard_normal(shape).astype(np.float32)
        arrays[name + "__x"] = x.astype(np.float32)  # .npz readers take floats
        arrays[name + "__y"] = model.predict(x, verbose=0)
        model.save_weights(os.path.join(OUT, name + ".h5"))
        model.save(os.path.join(OUT, name + "_model.h5"))
        print(name, [l.name for l in model.layers])
    np.savez(os.path.join(OUT, "predictions.npz"), **arrays)


if __name__ == "__main__":
    main()
