#!/usr/bin/env python3
"""Keras-written models with every layer ketl has, for ketl-import's test.

Runs real Keras 2 (tf_keras): builds the models below (the shape and helper
layers in two stacks, every merge, and a functional model with several
inputs and outputs, a shared layer and an LSTM's returned states, and a
Sequential shared as a layer) with
seeded random weights, saves each whole as keras_h5/import_<name>_model.h5,
and writes its inputs and Keras's predictions to
keras_h5/import_predictions.npz (<name>__x<i>, <name>__y<k>). The suite runs
ketl-import on each file, compiles the headers, loads the files with
load_model<Name> and compares (tests/import/check_import.cpp).
Make make_keras_h5.py's files first: these add to that directory.
"""
import os

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tf_keras as keras  # noqa: E402

L = keras.layers
HARD = "hard_sigmoid"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "keras_h5")


def shapes_1d():
    return keras.Sequential([
        L.Input((6, 4)), L.ZeroPadding1D((1, 2)), L.Cropping1D((2, 1)), L.UpSampling1D(2),
        L.Permute((2, 1)), L.Reshape((6, 8)), L.SpatialDropout1D(0.2), L.Activation("tanh"),
        # The mask ends at the LSTM's last output, as Keras 2.2.4 (and ketl)
        # require before layers that do not take masks.
        L.Masking(0.0), L.LSTM(3, recurrent_activation=HARD), L.RepeatVector(6),
        L.MaxPooling1D(), L.AveragePooling1D(1), L.Conv1D(2, 2, padding="causal"),
        L.GlobalAveragePooling1D(), L.RepeatVector(2), L.SimpleRNN(2), L.Dense(2)])


def shapes_2d():
    return keras.Sequential([
        L.Input((5, 5, 2)), L.ZeroPadding2D(((1, 1), (0, 1))), L.Cropping2D(((1, 0), (0, 1))),
        L.UpSampling2D((2, 1)), L.SpatialDropout2D(0.1), L.Conv2D(3, (2, 2), strides=(1, 2),
                                                                   padding="same",
                                                                   activation="elu"),
        L.AveragePooling2D(), L.BatchNormalization(axis=[3]), L.GlobalMaxPooling2D(),
        L.Dense(1, activation="softsign")])


def merges():
    u = L.Input((4,), name="u")
    v = L.Input((4,), name="v")
    du, dv = L.Dense(3, name="du")(u), L.Dense(3, name="dv")(v)
    merged = L.Concatenate()([L.Dot(1, normalize=True)([du, dv]), L.Subtract()([du, dv]),
                              L.Multiply()([du, dv]), L.Average()([du, dv]),
                              L.Maximum()([du, dv]), L.Minimum()([du, dv]), L.Add()([du, dv])])
    return keras.Model([u, v], L.Dense(1)(merged))


def multi():
    a = L.Input((6,), name="a")
    b = L.Input((4,), name="b")
    seq = L.Input((5, 3), name="seq")
    shared = L.Dense(5, activation="relu", name="shared")
    sa = shared(a)
    sb = shared(L.Dense(6, name="to6")(b))
    o1 = L.Dense(2, activation="softmax", name="o1")(L.Add(name="add")([sa, sb]))
    o2 = L.Dense(1, name="o2")(L.Concatenate(name="cat")([sa, b]))
    out, h, c = L.LSTM(4, recurrent_activation=HARD, return_state=True, name="lstm")(seq)
    o3 = L.Dense(1, activation="tanh", name="o3")(L.Concatenate(name="cat2")([out, h, c]))
    return keras.Model([a, b, seq], [o1, o2, o3])


def nested():
    # A Sequential used as a layer, shared by two calls (a siamese encoder).
    encoder = keras.Sequential([L.Input((4,)), L.Dense(3, activation="tanh"), L.Dense(2)],
                               name="encoder")
    left = L.Input((4,), name="left")
    right = L.Input((4,), name="right")
    d = L.Subtract(name="diff")([encoder(left), encoder(right)])
    return keras.Model([left, right], L.Dense(1, activation="sigmoid", name="same")(d))


MODELS = {"shapes_1d": shapes_1d, "shapes_2d": shapes_2d, "merges": merges, "multi": multi,
          "nested": nested}


def main():
    rng = np.random.default_rng(20261202)
    arrays = {}
    for name, make in MODELS.items():
        model = make()
        model.set_weights([rng.uniform(0.1 if "moving_variance" in w.name else -0.6, 0.6,
                                       w.shape).astype(np.float32) for w in model.weights])
        xs = [rng.standard_normal((3,) + tuple(i.shape[1:])).astype(np.float32)
              for i in model.inputs]
        ys = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
        ys = ys if isinstance(ys, list) else [ys]
        for i, x in enumerate(xs):
            arrays["%s__x%d" % (name, i)] = x
        for k, y in enumerate(ys):
            arrays["%s__y%d" % (name, k)] = y
        model.save(os.path.join(OUT, "import_%s_model.h5" % name))
        print(name, [l.name for l in model.layers])
    np.savez(os.path.join(OUT, "import_predictions.npz"), **arrays)


if __name__ == "__main__":
    main()
