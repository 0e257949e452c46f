#!/usr/bin/env bash
# The live TensorFlow.js check (check_tfjs.py) under the first Python that
# has tensorflowjs: $KETL_TFJS_PYTHON, else build/kvenv, else python3. Exit
# 77 (skipped) comes from check_tfjs.py.
root="$(cd "$(dirname "$0")/../.." && pwd)"
for py in "${KETL_TFJS_PYTHON:-}" "$root/build/kvenv/bin/python" python3; do
  [ -n "$py" ] && command -v "$py" >/dev/null &&
    "$py" -c "import sys, types; sys.modules.setdefault('tensorflow_decision_forests', types.ModuleType('x')); from tensorflowjs.converters import keras_tfjs_loader" 2>/dev/null &&
    break
done
exec "$py" "$root/tests/keras_live/check_tfjs.py" "$@"
