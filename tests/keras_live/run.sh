#!/usr/bin/env bash
# The live Keras check (check_h5.py) under the first Python that has
# tf_keras: $KETL_KERAS_PYTHON, else build/kvenv (tools/keras-venv.sh makes
# it), else python3. Exit 77 (skipped) comes from check_h5.py.
root="$(cd "$(dirname "$0")/../.." && pwd)"
for py in "${KETL_KERAS_PYTHON:-}" "$root/build/kvenv/bin/python" python3; do
  [ -n "$py" ] && command -v "$py" >/dev/null && "$py" -c "import tf_keras" 2>/dev/null && break
done
exec "$py" "$root/tests/keras_live/check_h5.py" "$@"
