#!/usr/bin/env python3
"""TensorFlow.js model.json files for ketl's tests (tests/unit/test_keras_h5.cpp).

Converts each whole-model file that make_keras_h5.py wrote with real Keras
(keras_h5/<name>_model.h5) as `tensorflowjs_converter --input_format keras`
does, into tfjs/<name>/model.json and its shards; dense also with uint8 and
float16 quantization (tfjs/dense_uint8, tfjs/dense_float16). The models'
weights are those of the .h5 files, so the test compares ketl's predictions
with Keras's, from keras_h5/predictions.npz. The suite reads the committed
files; run this again (with `pip install tensorflowjs`) to regenerate them.

tensorflowjs 4.22 imports tensorflow_decision_forests at start-up for its
SavedModel converter; where that package does not import (its protobuf
pins clash with TensorFlow's), an empty stand-in is registered first: the
Keras conversion never uses it.
"""
import glob
import os
import shutil
import sys
import types

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
try:
    import tensorflow_decision_forests  # noqa: F401
except Exception:  # ImportError, or protobuf's VersionError
    sys.modules["tensorflow_decision_forests"] = types.ModuleType("tensorflow_decision_forests")
import h5py  # noqa: E402
from tensorflowjs.converters import keras_h5_conversion as conversion  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "tfjs")


def convert(h5_path, out_dir, quantization=None):
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)
    with h5py.File(h5_path, "r") as f:
        topology, groups = conversion.h5_merged_saved_model_to_tfjs_format(f)
    conversion.write_artifacts(topology, groups, out_dir,
                               quantization_dtype_map=quantization)


def main():
    for path in sorted(glob.glob(os.path.join(HERE, "keras_h5", "*_model.h5"))):
        name = os.path.basename(path)[:-len("_model.h5")]
        if name.startswith("import_") or name == "varlen":
            continue  # ketl-import's own test files
        convert(path, os.path.join(OUT, name))
    # A Sequential nested as a layer (make_import_models.py): the converter
    # names its weights by its inner layers ("dense_3/kernel").
    convert(os.path.join(HERE, "keras_h5", "import_nested_model.h5"), os.path.join(OUT, "nested"))
    dense = os.path.join(HERE, "keras_h5", "dense_model.h5")
    convert(dense, os.path.join(OUT, "dense_uint8"), {"uint8": "*"})
    convert(dense, os.path.join(OUT, "dense_float16"), {"float16": "*"})


if __name__ == "__main__":
    main()
