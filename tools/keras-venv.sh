#!/usr/bin/env bash
# Makes build/kvenv, a Python venv with real Keras 2 (tensorflow-cpu and
# tf-keras from PyPI), for the live checks against Keras (tests/keras_live).
# Does nothing when it imports already. Without network it fails, and the
# live checks say they skipped. Log: build/kvenv.log. It runs beside the
# suite's build: --no-compile leaves the .pyc files to the first import
# rather than spending build minutes on every module of TensorFlow.
cd "$(dirname "$0")/.."
mkdir -p build
venv=build/kvenv
if "$venv/bin/python" -c "import tf_keras" 2>/dev/null; then exit 0; fi
{
  python3 -m venv "$venv" &&
    timeout 900 "$venv/bin/pip" install -q --no-compile --disable-pip-version-check tensorflow-cpu tf-keras
} >build/kvenv.log 2>&1
