#!/usr/bin/env python3
"""Golden outputs of Keras's convolution and pooling layers, for ketl's tests.

Runs real Keras 2 (tf_keras, `pip install tensorflow-cpu tf-keras`) on seeded
random inputs and weights, and writes every case's input, weights and output
to spatial.npz beside this script (`<case>__x`, `__kernel`, `__bias`, `__y`).
tests/unit/test_spatial_golden.cpp builds the same layers in ketl, sets the
same weights and compares. The suite reads the committed file, so it runs
without TensorFlow; run this script again to regenerate it.
"""
import os
import sys

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tf_keras as keras  # noqa: E402

L = keras.layers
rng = np.random.default_rng(20261130)

# name: (layer, input shape with batch)
CASES = {
    "conv2d_valid_tanh": (lambda: L.Conv2D(4, (3, 3), activation="tanh"), (2, 7, 6, 3)),
    "conv2d_same_stride2": (lambda: L.Conv2D(5, (3, 2), strides=(2, 2), padding="same"),
                            (2, 8, 7, 3)),
    "conv2d_dilated_nobias": (lambda: L.Conv2D(3, (3, 3), dilation_rate=(2, 2), padding="same",
                                               use_bias=False), (2, 9, 8, 2)),
    "conv2d_same_even_relu": (lambda: L.Conv2D(3, (4, 4), padding="same", activation="relu"),
                              (1, 6, 5, 2)),
    "conv2d_1x1": (lambda: L.Conv2D(6, (1, 1)), (2, 3, 4, 5)),
    "conv1d_valid_stride2": (lambda: L.Conv1D(4, 3, strides=2), (2, 11, 3)),
    "conv1d_causal_dilated": (lambda: L.Conv1D(3, 3, padding="causal", dilation_rate=2),
                              (2, 10, 2)),
    "conv1d_same_sigmoid": (lambda: L.Conv1D(3, 4, padding="same", activation="sigmoid"),
                            (2, 9, 2)),
    "maxpool2d_default": (lambda: L.MaxPooling2D(), (2, 6, 7, 3)),
    "maxpool2d_same_s2": (lambda: L.MaxPooling2D((3, 3), strides=(2, 2), padding="same"),
                          (2, 7, 8, 2)),
    "avgpool2d_default": (lambda: L.AveragePooling2D(), (2, 6, 7, 3)),
    "avgpool2d_same_s2": (lambda: L.AveragePooling2D((3, 3), strides=(2, 2), padding="same"),
                          (2, 7, 8, 2)),
    "maxpool1d_same_s2": (lambda: L.MaxPooling1D(3, strides=2, padding="same"), (2, 10, 3)),
    "avgpool1d_default": (lambda: L.AveragePooling1D(), (2, 9, 3)),
    "avgpool1d_same": (lambda: L.AveragePooling1D(3, strides=1, padding="same"), (2, 7, 2)),
    "gap2d": (lambda: L.GlobalAveragePooling2D(), (2, 4, 5, 3)),
    "gmp2d": (lambda: L.GlobalMaxPooling2D(), (2, 4, 5, 3)),
    "gap1d": (lambda: L.GlobalAveragePooling1D(), (2, 6, 4)),
    "gmp1d": (lambda: L.GlobalMaxPooling1D(), (2, 6, 4)),
    "zeropad2d": (lambda: L.ZeroPadding2D(((1, 2), (0, 3))), (2, 3, 4, 2)),
    "zeropad1d": (lambda: L.ZeroPadding1D(), (2, 5, 3)),
    "crop2d": (lambda: L.Cropping2D(((1, 0), (2, 1))), (2, 4, 6, 2)),
    "crop1d": (lambda: L.Cropping1D((1, 2)), (2, 7, 3)),
    "upsample2d": (lambda: L.UpSampling2D((2, 3)), (2, 3, 2, 2)),
    "upsample1d": (lambda: L.UpSampling1D(3), (2, 4, 3)),
    "spatialdropout2d_inference": (lambda: L.SpatialDropout2D(0.5), (2, 3, 4, 2)),
    "batchnorm": (lambda: L.BatchNormalization(), (4, 3, 5)),
    "batchnorm_noscale": (lambda: L.BatchNormalization(scale=False, epsilon=0.01), (6, 4)),
}


def main():
    out = {}
    for name, (make, shape) in CASES.items():
        layer = make()
        x = rng.uniform(-1, 1, size=shape).astype(np.float32)
        layer.build(shape)
        weights = [rng.uniform(-0.5, 0.5, size=w.shape).astype(np.float32)
                   for w in layer.get_weights()]
        if isinstance(layer, L.BatchNormalization):  # a positive moving variance
            weights[-1] = rng.uniform(0.5, 2.0, size=weights[-1].shape).astype(np.float32)
        layer.set_weights(weights)
        y = layer(x, training=False).numpy()
        out[name + "__x"] = x
        out[name + "__y"] = y
        if isinstance(layer, L.BatchNormalization):
            # Keras's weight names, and the output in training (batch statistics).
            for w, v in zip(layer.weights, weights):
                out[name + "__" + w.name.split("/")[-1].split(":")[0]] = v
            out[name + "__y_train"] = layer(x, training=True).numpy()
        elif weights:
            out[name + "__kernel"] = weights[0]
            if len(weights) > 1:
                out[name + "__bias"] = weights[1]
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "spatial.npz")
    np.savez(path, **out)
    print(f"wrote {len(CASES)} cases to {path} with tf_keras {keras.__version__}", file=sys.stderr)


if __name__ == "__main__":
    main()
