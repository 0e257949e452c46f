// Which SIMD instruction set ketl's kernels were compiled for, and the best
// one this CPU has. ketl is header-only, so its kernels take the program's
// own flags: without -march=native (or -mavx2 -mfma) they fall back to
// SSE2 and train about 2.5x slower on an AVX2 CPU (docs/benchmarks.md).
//
//   auto cpu = ketl::cpu_features();
//   std::cout << cpu.compiled << " of " << cpu.best << "\n";  // "fma3+avx2 of fma3+avx2"
//
// The float GEMM, most of a training step, is the exception: it is also
// compiled for AVX2 and AVX-512 and picks the CPU's widest at run time
// (cpu.gemm names it), so a baseline build loses less.
#pragma once

#include <cstddef>
#include <string_view>

#include "ketl/detail/gemm_dispatch.hpp"
#include "ketl/detail/simd.hpp"

namespace ketl {

struct cpu_info {
  std::string_view compiled;  // the arch ketl's kernels use in this program
  std::size_t compiled_bits;  // its vector width in bits
  std::string_view best;      // the widest arch of those ketl would use on this CPU
  std::size_t best_bits;
  // The arch of the float GEMM, which is chosen at run time: the CPU's
  // widest when the program was compiled narrower (detail/gemm_dispatch.hpp).
  std::string_view gemm;
  // True when the CPU has a wider arch than the program was compiled for.
  bool narrower_than_cpu() const { return compiled_bits < best_bits; }
};

inline cpu_info cpu_features() {
  cpu_info info{detail::simd::arch::name(), detail::simd::batch<float>::size * 32, "none", 0,
                detail::gemm_isa_name(detail::active_gemm_isa())};
#if XSIMD_WITH_SSE2 || defined(__x86_64__) || defined(_M_X64)
  const auto a = xsimd::available_architectures();  // CPUID, read once by xsimd
  if (a.avx512f && a.avx512cd && a.avx512dq && a.avx512bw)
    info.best = "avx512bw", info.best_bits = 512;
  else if (a.fma3_avx2)
    info.best = "fma3+avx2", info.best_bits = 256;
  else if (a.avx2)
    info.best = "avx2", info.best_bits = 256;
  else if (a.sse2)
    info.best = "sse2", info.best_bits = 128;
#endif
  if (info.best_bits == 0) info.best = info.compiled, info.best_bits = info.compiled_bits;
  return info;
}

}  // namespace ketl
