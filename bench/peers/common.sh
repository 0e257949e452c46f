# What the peers' scripts (run.sh, run_model.sh) share; sourced, not run.

# Installs the Debian packages named that are missing, then ketl's own.
install_peers() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  bash tools/install-deps.sh
}

# One BLAS thread for every peer. Debian's OpenBLAS picks its kernels by CPU
# model; on a virtual CPU that reports none it falls back to Prescott's
# (SSE3), about 5x slower. Name the core its flags call for (SkylakeX only
# with avx512f: it crashes on an AVX2 CPU).
single_thread_blas() {
  export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
  if grep -qw avx512f /proc/cpuinfo; then
    export OPENBLAS_CORETYPE=SkylakeX
  elif grep -qw avx2 /proc/cpuinfo; then
    export OPENBLAS_CORETYPE=Haswell
  fi
}
