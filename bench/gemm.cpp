// ketl's GEMM (detail/gemm.hpp) against OpenBLAS's cblas_sgemm, single
// thread, in one run, at the shapes the 784-128-10 MLP's Dense layers use:
//   forward      (batch x 784) . (784 x 128)           NN, batch 32 and 128
//   dkernel      (784 x batch) . (batch x 128) = x^T dz TN
//   dx           (batch x 128) . (128 x 784) = dz W^T   NT (ketl: gemm_bt)
//   predict      (1000 x 784) . (784 x 128)            NN, the first layer of predict on 1,000 rows
// GFLOP/s are reported as counters; the ratio ketl / OpenBLAS per shape is
// what docs/benchmarks.md records (target: >= 1.0).
//
// Each shape runs twice: with A hot in cache (the same A every call), and
// streaming (stream:1), where A walks through 192 MB as the input batches
// of a training epoch do. The second is the one training sees; the first
// alone hid a kernel that ran at half speed on cold data.
//
// OpenBLAS picks its kernels by CPU model and, on a virtual CPU that reports
// none, falls back to SSE3: name the core (Haswell on AVX2, SkylakeX only
// where avx512f is present; SkylakeX crashes on an AVX2 CPU).
//   OPENBLAS_CORETYPE=Haswell OPENBLAS_NUM_THREADS=1 ./build/gcc-release/bench/bench_gemm
//   --benchmark_repetitions=5
//   --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <vector>

#include <ketl/ketl.hpp>

#include "fma_peak.hpp"

namespace {
enum class Layout { nn, tn, nt };

struct Problem {
  std::size_t m, n, k;
  Layout layout;
  std::vector<float> a, b, c, bt;
  std::size_t offset = 0;  // where this call's A starts in a
  Problem(std::size_t m_, std::size_t n_, std::size_t k_, Layout l, bool streaming)
      : m(m_),
        n(n_),
        k(k_),
        layout(l),
        a(streaming ? std::size_t{48} << 20 : m_ * k_),
        b(k_ * n_),
        c(m_ * n_),
        bt(k_ * n_) {
    ketl::Random rng(1);
    for (auto& v : a) v = float(rng.uniform(-1, 1));
    for (auto& v : b) v = float(rng.uniform(-1, 1));
  }
  // This call's A; streaming, the next call takes the next m * k floats.
  const float* next_a() {
    const float* p = a.data() + offset;
    offset += m * k;
    if (offset + m * k > a.size()) offset = 0;
    return p;
  }
};

// The shape from the benchmark's arguments: (m, n, k, layout, stream).
Problem make(const benchmark::State& s) {
  return {std::size_t(s.range(0)), std::size_t(s.range(1)), std::size_t(s.range(2)),
          Layout(s.range(3)), s.range(4) != 0};
}
void flops(benchmark::State& s, const Problem& p) {
  s.counters["GFLOPS"] =
      benchmark::Counter(double(2 * p.m * p.n * p.k) * double(s.iterations()),
                         benchmark::Counter::kIsRate, benchmark::Counter::kIs1000);
}

void Ketl(benchmark::State& state) {
  Problem p = make(state);
  for (auto _ : state) {
    const float* a = p.next_a();
    switch (p.layout) {
      case Layout::nn:  // A (m x k) row-major
        ketl::detail::gemm(p.m, p.n, p.k, a, p.k, std::size_t{1}, p.b.data(), p.n, p.c.data(), p.n,
                           false);
        break;
      case Layout::tn:  // A stored (k x m): read through strides, as Dense's dkernel
        ketl::detail::gemm(p.m, p.n, p.k, a, std::size_t{1}, p.m, p.b.data(), p.n, p.c.data(), p.n,
                           false);
        break;
      case Layout::nt:  // B stored (n x k): Dense's dx, panels transposed as they are used
        ketl::detail::gemm_bt(p.m, p.n, p.k, a, p.k, std::size_t{1}, p.b.data(), p.k, p.c.data(),
                              p.n, false);
        break;
    }
    benchmark::ClobberMemory();
  }
  flops(state, p);
}

// The NT shapes as Dense ran them before gemm_bt: a whole transposed copy
// of B, then NN.
void KetlCopyNT(benchmark::State& state) {
  Problem p = make(state);
  for (auto _ : state) {
    const float* a = p.next_a();
    ketl::detail::transpose(p.b.data(), p.n, p.k, p.bt.data());
    ketl::detail::gemm(p.m, p.n, p.k, a, p.k, std::size_t{1}, p.bt.data(), p.n, p.c.data(), p.n,
                       false);
    benchmark::ClobberMemory();
  }
  flops(state, p);
}

void OpenBLAS(benchmark::State& state) {
  Problem p = make(state);
  const int m = int(p.m), n = int(p.n), k = int(p.k);
  for (auto _ : state) {
    const float* a = p.next_a();
    switch (p.layout) {
      case Layout::nn:
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, k, p.b.data(), n,
                    0.0f, p.c.data(), n);
        break;
      case Layout::tn:
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, m, n, k, 1.0f, a, m, p.b.data(), n,
                    0.0f, p.c.data(), n);
        break;
      case Layout::nt:
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f, a, k, p.b.data(), k,
                    0.0f, p.c.data(), n);
        break;
    }
    benchmark::ClobberMemory();
  }
  flops(state, p);
}

void shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"m", "n", "k", "layout", "stream"});
  for (long stream : {0, 1})
    for (long batch : {32, 128}) {
      b->Args({batch, 128, 784, long(Layout::nn), stream});  // forward
      b->Args({784, 128, batch, long(Layout::tn), stream});  // dkernel = x^T . dz
      b->Args({batch, 784, 128, long(Layout::nt), stream});  // dx = dz . W^T
    }
  for (long stream : {0, 1}) b->Args({1000, 128, 784, long(Layout::nn), stream});  // predict
}
// The register block alone, all operands in L1 (k = 256, B a contiguous
// panel), for the choice of its shape on this CPU: MR rows by NV vectors.
// On AVX2 (16 registers) 6 x 2, 4 x 3 and 3 x 4 each keep 12 accumulators;
// 8 x 1 keeps 8. Compare with BM_fma_peak.
template <std::size_t MR, std::size_t NV>
void Micro(benchmark::State& state) {
  using V = ketl::detail::gemm_native::xsimd_ops<float>;
  constexpr std::size_t k = 256, cols = NV * V::width;
  std::vector<float> a(MR * k), b(k * cols), c(MR * cols);
  ketl::Random rng(2);
  for (auto& v : a) v = float(rng.uniform(-1, 1));
  for (auto& v : b) v = float(rng.uniform(-1, 1));
  for (auto _ : state) {
    ketl::detail::gemm_native::micro<V, MR, NV>(k, a.data(), k, 1, b.data(), cols, c.data(), cols,
                                                false, static_cast<const float*>(nullptr));
    benchmark::ClobberMemory();
  }
  state.counters["GFLOPS"] =
      benchmark::Counter(double(2 * MR * cols * k) * double(state.iterations()),
                         benchmark::Counter::kIsRate, benchmark::Counter::kIs1000);
}
BENCHMARK(Micro<6, 2>);
BENCHMARK(Micro<4, 3>);
BENCHMARK(Micro<3, 4>);
BENCHMARK(Micro<8, 1>);
BENCHMARK(Micro<2, 2>);
BENCHMARK(BM_fma_peak);

void nt_shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"m", "n", "k", "layout", "stream"});
  for (long stream : {0, 1})
    for (long batch : {32, 128}) b->Args({batch, 784, 128, long(Layout::nt), stream});
}
BENCHMARK(Ketl)->Apply(shapes);
BENCHMARK(KetlCopyNT)->Apply(nt_shapes);
BENCHMARK(OpenBLAS)->Apply(shapes);
}  // namespace

BENCHMARK_MAIN();
