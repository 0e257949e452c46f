#!/usr/bin/env bash
# ketl-import refuses a model with a layer ketl lacks: exit 1, the layer's
# name and class on standard error, and nothing on standard output.
# usage: refuses.sh KETL_IMPORT MODEL_FILE
out=$("$1" "$2" --name Net 2>/tmp/ketl-import-refuses.$$)
rc=$?
err=$(cat /tmp/ketl-import-refuses.$$)
rm -f /tmp/ketl-import-refuses.$$
echo "exit $rc; stderr: $err"
[ "$rc" = 1 ] && [ -z "$out" ] && [[ "$err" == *"leaky_re_lu_1 (LeakyReLU)"* ]]
