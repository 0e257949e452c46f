#!/usr/bin/env python3
"""Golden outputs and gradients of Keras's recurrent layers, for ketl's tests.

Runs real Keras 2 (tf_keras, `pip install tensorflow-cpu tf-keras`) on seeded
random inputs and weights, and writes each case's input, weights (Keras's
kernel, recurrent_kernel, bias), output, and the gradients of
sum(output * r) for a seeded r, to recurrent.npz beside this script
(`<case>__x`, `__kernel`, ..., `__y`, `__r`, `__dx`, `__dkernel`, ...).
tests/unit/test_recurrent.cpp builds the same layers in ketl, sets the same
weights and compares. The suite reads the committed file, so it runs without
TensorFlow; run this script again to regenerate it.

Keras 2.2.4's defaults (recurrent_activation='hard_sigmoid', GRU
reset_after=False) are given explicitly: tf.keras changed both.

The cases whose name ends in _masked are called with a mask (MASK: padding
after, before, and around the real steps), and store it as `<case>__mask`.
"""
import os
import sys

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402

L = keras.layers
rng = np.random.default_rng(20261130)
HARD = "hard_sigmoid"

# name: (layer, input shape with batch)
CASES = {
    "simple_rnn": (lambda: L.SimpleRNN(6), (3, 5, 4)),
    "simple_rnn_seq_back": (lambda: L.SimpleRNN(6, return_sequences=True, go_backwards=True),
                            (2, 5, 4)),
    "lstm": (lambda: L.LSTM(6, recurrent_activation=HARD), (3, 5, 4)),
    "lstm_seq_back": (lambda: L.LSTM(7, recurrent_activation=HARD, return_sequences=True,
                                     go_backwards=True), (2, 6, 3)),
    "lstm_sigmoid_nobias": (lambda: L.LSTM(5, use_bias=False), (2, 4, 3)),
    "gru": (lambda: L.GRU(6, recurrent_activation=HARD, reset_after=False), (3, 5, 4)),
    "gru_seq_back": (lambda: L.GRU(7, recurrent_activation=HARD, reset_after=False,
                                   return_sequences=True, go_backwards=True), (2, 6, 3)),
    "gru_reset_after": (lambda: L.GRU(6), (3, 5, 4)),  # tf.keras's defaults
    "gru_reset_after_hard_seq": (lambda: L.GRU(5, recurrent_activation=HARD, reset_after=True,
                                               return_sequences=True), (2, 4, 3)),
    # Bidirectional: its weights are the forward layer's, then the backward's.
    "bi_lstm_concat": (lambda: L.Bidirectional(L.LSTM(4, recurrent_activation=HARD)), (3, 5, 3)),
    "bi_gru_seq_sum": (lambda: L.Bidirectional(
        L.GRU(4, recurrent_activation=HARD, reset_after=False, return_sequences=True),
        merge_mode="sum"), (2, 5, 3)),
    "bi_rnn_seq_mul": (lambda: L.Bidirectional(L.SimpleRNN(3, return_sequences=True),
                                               merge_mode="mul"), (2, 4, 3)),
    "bi_lstm_back_ave": (lambda: L.Bidirectional(
        L.LSTM(4, recurrent_activation=HARD, go_backwards=True), merge_mode="ave"), (2, 4, 3)),
}

# Masked cases: (layer, input shape with batch); their mask is MASK.
MASK = np.array([[1, 1, 1, 1, 0, 0], [0, 0, 1, 1, 1, 1], [0, 1, 0, 1, 1, 0]], dtype=bool)
CASES.update({
    "simple_rnn_masked": (lambda: L.SimpleRNN(4), (3, 6, 3)),
    "lstm_masked": (lambda: L.LSTM(4, recurrent_activation=HARD), (3, 6, 3)),
    "lstm_seq_masked": (lambda: L.LSTM(4, recurrent_activation=HARD, return_sequences=True),
                        (3, 6, 3)),
    "gru_seq_back_masked": (lambda: L.GRU(4, recurrent_activation=HARD, reset_after=False,
                                          return_sequences=True, go_backwards=True), (3, 6, 3)),
    "gru_reset_after_masked": (lambda: L.GRU(4), (3, 6, 3)),
    "bi_lstm_seq_masked": (lambda: L.Bidirectional(
        L.LSTM(3, recurrent_activation=HARD, return_sequences=True)), (3, 6, 3)),
})

# return_state with initial_state (Keras's seq2seq spelling): the layer is
# called on x and its initial states, and returns the output then each
# state; r0, r1, ... weigh the outputs in the loss. Keys: __x, __s0, __s1
# (initial states), __y0, __y1, ..., __r0, ..., __dx, __ds0, ...
STATE_CASES = {
    "lstm_states": (lambda: L.LSTM(4, recurrent_activation=HARD, return_sequences=True,
                                   return_state=True), (2, 5, 3), 2),
    "gru_states": (lambda: L.GRU(4, recurrent_activation=HARD, reset_after=False,
                                 return_state=True, go_backwards=True), (2, 5, 3), 1),
}

# Bidirectional with several outputs, called on x alone: y0 (the merged
# output), then the forward layer's states, then the backward's.
# Drawn after every case above, so that their values stay as they were.
BI_STATE_CASES = {
    "bi_lstm_states": (lambda: L.Bidirectional(
        L.LSTM(3, recurrent_activation=HARD, return_sequences=True, return_state=True)),
        (2, 5, 3)),
    "bi_gru_states_sum": (lambda: L.Bidirectional(
        L.GRU(3, recurrent_activation=HARD, reset_after=False, return_state=True),
        merge_mode="sum"), (2, 4, 3)),
    # merge_mode=None: the forward output, then the backward one (reversed
    # in time with return_sequences), then any states.
    "bi_lstm_seq_none": (lambda: L.Bidirectional(
        L.LSTM(3, recurrent_activation=HARD, return_sequences=True), merge_mode=None), (2, 5, 3)),
    "bi_gru_none_states": (lambda: L.Bidirectional(
        L.GRU(3, recurrent_activation=HARD, reset_after=False, return_state=True),
        merge_mode=None), (2, 4, 3)),
}

# Bidirectional called with initial_state: the forward layer's states, then
# the backward's (Keras splits the list in halves). Drawn after every case
# above. Keys as STATE_CASES's; count is the number of states.
BI_INIT_CASES = {
    "bi_lstm_init": (lambda: L.Bidirectional(
        L.LSTM(3, recurrent_activation=HARD, return_sequences=True)), (2, 5, 3), 4),
    "bi_gru_init_states_sum": (lambda: L.Bidirectional(
        L.GRU(3, recurrent_activation=HARD, reset_after=False, return_state=True),
        merge_mode="sum"), (2, 4, 3), 2),
}

SNAKE = {"SimpleRNN": "simple_rnn", "LSTM": "lstm", "GRU": "gru"}


def short(w):
    return w.name.split("/")[-1].split(":")[0]


def weight_keys(layer):
    """ketl's names of the layer's weights, in the order of layer.weights."""
    if isinstance(layer, L.Bidirectional):
        base = SNAKE[type(layer.forward_layer).__name__]
        both = layer.forward_layer.weights + layer.backward_layer.weights
        assert [w.name for w in both] == [w.name for w in layer.weights]
        return ([f"forward_{base}/{short(w)}" for w in layer.forward_layer.weights] +
                [f"backward_{base}/{short(w)}" for w in layer.backward_layer.weights])
    return [short(w) for w in layer.weights]


def main():
    out = {}
    for name, (make, shape) in CASES.items():
        layer = make()
        x = rng.uniform(-1.5, 1.5, size=shape).astype(np.float32)
        layer.build(shape)
        weights = [rng.uniform(-0.6, 0.6, size=w.shape).astype(np.float32)
                   for w in layer.get_weights()]
        layer.set_weights(weights)
        xv = tf.constant(x)
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(xv)
            if name.endswith("_masked"):
                out[name + "__mask"] = MASK.astype(np.float32)
                y = layer(xv, mask=tf.constant(MASK), training=False)
            else:
                y = layer(xv, training=False)
            r = tf.constant(rng.uniform(-1, 1, size=y.shape).astype(np.float32))
            loss = tf.reduce_sum(y * r)
        out[name + "__x"] = x
        out[name + "__y"] = y.numpy()
        out[name + "__r"] = r.numpy()
        out[name + "__dx"] = tape.gradient(loss, xv).numpy()
        for w, v, key in zip(layer.weights, weights, weight_keys(layer)):
            out[name + "__" + key] = v
            out[name + "__d" + key] = tape.gradient(loss, w).numpy()
    # The BI_STATE_CASES last, with no initial state: the same draws as
    # when they had a loop of their own.
    cases = (list(STATE_CASES.items()) +
             [(k, (m, s, 0)) for k, (m, s) in BI_STATE_CASES.items()] +
             list(BI_INIT_CASES.items()))
    for name, (make, shape, count) in cases:
        layer = make()
        x = tf.constant(rng.uniform(-1.5, 1.5, size=shape).astype(np.float32))
        units = layer.forward_layer.units if isinstance(layer, L.Bidirectional) else layer.units
        states = [tf.constant(rng.uniform(-1, 1, size=(shape[0], units)).astype(np.float32))
                  for _ in range(count)]
        layer.build(shape)
        weights = [rng.uniform(-0.6, 0.6, size=w.shape).astype(np.float32)
                   for w in layer.get_weights()]
        layer.set_weights(weights)
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(x)
            for st in states:
                tape.watch(st)
            ys = layer(x, initial_state=states or None, training=False)
            if not isinstance(ys, (list, tuple)):
                ys = [ys]
            rs = [tf.constant(rng.uniform(-1, 1, size=y.shape).astype(np.float32)) for y in ys]
            loss = tf.add_n([tf.reduce_sum(y * r) for y, r in zip(ys, rs)])
        out[name + "__x"] = x.numpy()
        out[name + "__dx"] = tape.gradient(loss, x).numpy()
        for k, st in enumerate(states):
            out[f"{name}__s{k}"] = st.numpy()
            out[f"{name}__ds{k}"] = tape.gradient(loss, st).numpy()
        for k, (y, r) in enumerate(zip(ys, rs)):
            out[f"{name}__y{k}"] = y.numpy()
            out[f"{name}__r{k}"] = r.numpy()
        for w, v, key in zip(layer.weights, weights, weight_keys(layer)):
            out[name + "__" + key] = v
            out[name + "__d" + key] = tape.gradient(loss, w).numpy()
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "recurrent.npz")
    np.savez(path, **out)
    print(f"wrote {len(CASES) + len(STATE_CASES) + len(BI_STATE_CASES) + len(BI_INIT_CASES)} cases to {path} with tf_keras {keras.__version__}", file=sys.stderr)


if __name__ == "__main__":
    main()
