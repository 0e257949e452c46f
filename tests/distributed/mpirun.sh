#!/usr/bin/env bash
# Runs a program on 2 ranks on this machine, as the suite and the README do:
#   tests/distributed/mpirun.sh [-np N] PROGRAM [ARGS...]
# Container settings: root may run it (CI runs as root), more ranks than
# cores, no binding (the ranks share 2 cores with the build), shared memory
# without the single-copy mechanism (CMA needs ptrace rights a container
# often lacks), local launching (no ssh), and a time limit, so that a hang fails instead of stalling.
set -uo pipefail
np=2
if [ "${1:-}" = "-np" ]; then np=$2; shift 2; fi
export OMPI_MCA_btl_vader_single_copy_mechanism=none
export OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_MCA_btl=self,vader
export OMPI_MCA_plm=isolated  # this machine only: no ssh needed
exec timeout --kill-after=10 "${KETL_MPI_TIMEOUT:-300}" \
  mpirun --allow-run-as-root --oversubscribe --bind-to none -np "$np" "$@"
