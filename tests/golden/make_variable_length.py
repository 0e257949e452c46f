#!/usr/bin/env python3
"""A Keras model with a variable sequence length, for ketl-import --length.

Runs real Keras 2 (tf_keras): Embedding(30, 4) with no input_length, then
LSTM(3) and Dense(2, softmax), seeded random weights; saves it whole as
keras_h5/varlen_model.h5 (its input shape is (None, None)) and writes
Keras's prediction on a batch of sequences of length 7 to
keras_h5/varlen_predictions.npz (varlen__x, varlen__y). The suite's
ketl-import test fixes the length at 7 and compares.
"""
import os

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tf_keras as keras  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "keras_h5")


def main():
    rng = np.random.default_rng(20261201)
    model = keras.Sequential([
        keras.layers.Embedding(30, 4, input_shape=(None,)),
        keras.layers.LSTM(3, recurrent_activation="hard_sigmoid"),
        keras.layers.Dense(2, activation="softmax"),
    ])
    model.set_weights([rng.uniform(-0.5, 0.5, w.shape).astype(np.float32)
                       for w in model.get_weights()])
    model.save(os.path.join(OUT, "varlen_model.h5"))
    x = rng.integers(0, 30, size=(3, 7)).astype(np.int32)
    np.savez(os.path.join(OUT, "varlen_predictions.npz"),
             varlen__x=x.astype(np.float64), varlen__y=model.predict(x, verbose=0).astype(np.float64))


if __name__ == "__main__":
    main()
