#!/usr/bin/env python3
"""The live check of Keras's .h5 files against real Keras (tf_keras).

Runs ketl's write_h5 (tests/keras_live/write_h5.cpp), which saves each model
of tests/golden/make_keras_h5.py with ketl's own random weights, then builds
the same models in tf_keras, loads ketl's files with model.load_weights (and
its whole-model files with keras.models.load_model, which rebuilds the
architecture from ketl's model_config) and checks that Keras predicts what
ketl predicted, to float32 rounding. The
other direction (Keras's files into ketl) is the unit suite's, from the
committed golden files.

usage: check_h5.py WRITE_H5 GOLDEN_DIR OUT_DIR
Exits 77 (meson's "skipped") and says so where `import tf_keras` fails.
"""
import os
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
try:
    import numpy as np
    import tf_keras  # noqa: F401
except ImportError as e:
    print("SKIPPED: the live Keras check needs tf_keras (%s); "
          "tools/keras-venv.sh installs it into build/kvenv" % e)
    sys.exit(77)


def compare(name, how, got, want):
    err = float(np.max(np.abs(got - want)))
    ok = np.allclose(got, want, rtol=2e-5, atol=2e-5)
    print("%-18s Keras's %-12s reads ketl's file: max |difference| %.2e %s"
          % (name, how, err, "ok" if ok else "FAILED"))
    return not ok


def check_compiled(out, ketl):
    """Keras compiles ketl's training_config: the optimizer, its learning
    rate, the loss and metrics; evaluate gives ketl's loss."""
    model = tf_keras.models.load_model(os.path.join(out, "compiled_model.h5"))
    opt = model.optimizer
    lr = float(tf_keras.backend.get_value(opt.learning_rate))
    loss = model.evaluate(ketl["compiled__x0"], ketl["compiled__t"], verbose=0)
    loss = loss[0] if isinstance(loss, list) else loss
    want = float(ketl["compiled__loss"][0])
    ok = ("Adam" in type(opt).__name__ and abs(lr - 0.01) < 1e-7
          and abs(loss - want) <= 2e-5 * max(1.0, abs(want)))
    print("%-18s Keras's %-12s compiles ketl's training_config: %s lr %g, loss %.6f "
          "(ketl %.6f), optimizer iterations %d %s"
          % ("compiled", "load_model", type(opt).__name__, lr, loss, want,
             int(tf_keras.backend.get_value(opt.iterations)), "ok" if ok else "FAILED"))
    return not ok


def check_per_output(out, ketl):
    """Keras compiles a training_config whose metrics differ by output (a
    dict), and evaluates to ketl's values."""
    model = tf_keras.models.load_model(os.path.join(out, "per_output_model.h5"))
    got = model.evaluate(ketl["per_output__x0"],
                         [ketl["per_output__t0"], ketl["per_output__t1"]], verbose=0)
    want = ketl["per_output__values"]
    ok = len(got) == len(want) and all(
        abs(g - w) <= 2e-5 * max(1.0, abs(w)) for g, w in zip(got, want))
    print("%-18s Keras's %-12s compiles per-output metrics: %s against ketl's %s %s"
          % ("per_output", "load_model", " ".join("%.6f" % g for g in got),
             " ".join("%.6f" % w for w in want), "ok" if ok else "FAILED"))
    return not ok


def main():
    write_h5, golden, out = sys.argv[1:4]
    os.makedirs(out, exist_ok=True)
    subprocess.run([write_h5, golden, out], check=True)
    sys.path.insert(0, golden)
    import make_keras_h5 as models
    ketl = np.load(os.path.join(out, "ketl_predictions.npz"))
    inputs = np.load(os.path.join(golden, "keras_h5", "predictions.npz"))
    failed = 0
    for name in ketl.files:
        if "__" in name:
            continue  # the multi-input model's arrays, below
        make, _, kind = models.MODELS[name]
        model = make()
        model.load_weights(os.path.join(out, name + ".h5"))
        x = inputs[name + "__x"]
        if kind == "int":
            x = x.astype(np.int32)
        failed += compare(name, "load_weights", model.predict(x, verbose=0), ketl[name])
        whole = os.path.join(out, name + "_model.h5")
        if os.path.exists(whole):
            loaded = tf_keras.models.load_model(whole, compile=False)
            failed += compare(name, "load_model", loaded.predict(x, verbose=0), ketl[name])
    # Saved whole only: Keras rebuilds them from ketl's model_config alone.
    for name in sorted({k.split("__")[0] for k in ketl.files if "__" in k}):
        xs = sorted(k for k in ketl.files if k.startswith(name + "__x"))
        ys = sorted(k for k in ketl.files if k.startswith(name + "__y"))
        loaded = tf_keras.models.load_model(os.path.join(out, name + "_model.h5"), compile=False)
        got = loaded.predict([ketl[k] for k in xs] if len(xs) > 1 else ketl[xs[0]], verbose=0)
        got = got if isinstance(got, list) else [got]
        for k, y in enumerate(ys):
            failed += compare("%s[%d]" % (name, k), "load_model", got[k], ketl[y])
    failed += check_compiled(out, ketl)
    failed += check_per_output(out, ketl)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
