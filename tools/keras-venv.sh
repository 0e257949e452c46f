#!/usr/bin/env bash
# Makes build/kvenv, a Python venv with real Keras 2 (tensorflow-cpu and
# tf-keras from PyPI) and TensorFlow.js's Python package (tensorflowjs), for
# the live checks against Keras (tests/keras_live). Does nothing when both
# import already. Without network it fails, and the live checks say they
# skipped. Log: build/kvenv.log. It runs beside the suite's build:
# --no-compile leaves the .pyc files to the first import rather than
# spending build minutes on every module of TensorFlow.
cd "$(dirname "$0")/.."
mkdir -p build
venv=build/kvenv
pip=("$venv/bin/pip" install -q --no-compile --disable-pip-version-check)
# TensorFlow.js's Python reader of model.json, for the live check of the
# model.json files ketl writes (tests/keras_live/check_tfjs.py, which stubs
# tensorflow_decision_forests: the reader never uses it).
tfjs_loader="import sys, types; sys.modules.setdefault('tensorflow_decision_forests', types.ModuleType('x'))
from tensorflowjs.converters import keras_tfjs_loader"
have_keras=false
"$venv/bin/python" -c "import tf_keras" 2>/dev/null && have_keras=true
$have_keras && "$venv/bin/python" -c "$tfjs_loader" 2>/dev/null && exit 0
{
  if ! $have_keras; then
    python3 -m venv "$venv" && timeout 900 "${pip[@]}" tensorflow-cpu tf-keras || exit 1
  fi
  # tensorflowjs pins jax, packaging and tensorflow-decision-forests
  # versions that clash with tensorflow-cpu's, so it comes without its
  # dependencies, beside the two its reader imports (jax only to import
  # it). If this fails, only the TensorFlow.js check skips.
  timeout 600 "${pip[@]}" jax &&
    timeout 300 "${pip[@]}" --no-deps tensorflowjs==4.22.0 tensorflow-hub
} >build/kvenv.log 2>&1
