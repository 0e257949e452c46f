#!/usr/bin/env python3
"""The live check of TensorFlow.js's model.json against the tensorflowjs package.

Runs ketl's write_h5 (tests/keras_live/write_h5.cpp), which saves each model
whole as OUT/<name>_tfjs/model.json with its shards, then loads each with
tensorflowjs's own reader of the layers format
(tensorflowjs.converters.keras_tfjs_loader.load_keras_model: the model config
into tf_keras, the weights by name from the manifest) and checks that it
predicts what ketl predicted, to float32 rounding. The other direction
(the converter's files into ketl) is the unit suite's, from the committed
tests/golden/tfjs files.

usage: check_tfjs.py WRITE_H5 GOLDEN_DIR OUT_DIR
Exits 77 (meson's "skipped") and says so where tensorflowjs does not import.
tools/keras-venv.sh installs it without its dependencies (its jax,
packaging and tensorflow-decision-forests pins clash with tensorflow-cpu's),
beside jax and tensorflow-hub, which its reader imports; KETL_TFJS_PYTHON
names another Python.
"""
import os
import subprocess
import sys
import types

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
try:
    import numpy as np
    try:
        import tensorflow_decision_forests  # noqa: F401
    except Exception:  # its protobuf pins may clash; the loader never uses it
        sys.modules["tensorflow_decision_forests"] = types.ModuleType(
            "tensorflow_decision_forests")
    from tensorflowjs.converters import keras_tfjs_loader
except ImportError as e:
    print("SKIPPED: the live TensorFlow.js check needs tensorflowjs (%s)" % e)
    sys.exit(77)


def main():
    write_h5, golden, out = sys.argv[1:4]
    os.makedirs(out, exist_ok=True)
    subprocess.run([write_h5, golden, out], check=True)
    ketl = np.load(os.path.join(out, "ketl_predictions.npz"))
    inputs = np.load(os.path.join(golden, "keras_h5", "predictions.npz"))
    failed = 0
    for d in sorted(x for x in os.listdir(out) if x.endswith("_tfjs")):
        name = d[:-len("_tfjs")]
        model = keras_tfjs_loader.load_keras_model(os.path.join(out, d, "model.json"))
        if name in ketl.files:  # a model of make_keras_h5.py, on its golden input
            xs = [inputs[name + "__x"]]
            if name == "rnn":
                xs = [xs[0].astype(np.int32)]
            ys = [ketl[name]]
        else:
            xs = [ketl[k] for k in sorted(k for k in ketl.files if k.startswith(name + "__x"))]
            ys = [ketl[k] for k in sorted(k for k in ketl.files if k.startswith(name + "__y"))]
        got = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
        got = got if isinstance(got, list) else [got]
        for k, want in enumerate(ys):
            err = float(np.max(np.abs(got[k] - want)))
            ok = np.allclose(got[k], want, rtol=2e-5, atol=2e-5)
            print("%-18s tensorflowjs reads ketl's model.json: max |difference| %.2e %s"
                  % ("%s[%d]" % (name, k), err, "ok" if ok else "FAILED"))
            failed += not ok
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
