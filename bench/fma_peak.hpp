// The machine's single-thread FMA peak in the same run as a kernel's
// benchmark: 12 independent chains of vector FMAs, so a kernel's GFLOP/s
// over this one's needs no clock or spec sheet. Each program registers it
// with BENCHMARK(BM_fma_peak).
#pragma once

#include <benchmark/benchmark.h>

#include <ketl/detail/simd.hpp>

inline void BM_fma_peak(benchmark::State& state) {
  using V = ketl::detail::simd::batch<float>;
  V acc[12];
  for (int i = 0; i < 12; ++i) acc[i] = V(float(i) * 1e-3f);
  const V a(0.999f), b(1e-4f);
  constexpr long inner = 4096;
  for (auto _ : state) {
    for (long r = 0; r < inner; ++r)
      for (auto& x : acc) x = xsimd::fma(x, a, b);
    benchmark::DoNotOptimize(acc);
  }
  state.counters["GFLOP/s"] = benchmark::Counter(
      double(state.iterations()) * inner * 12 * 2 * V::size, benchmark::Counter::kIsRate);
}
