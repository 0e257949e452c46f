// ketl's GEMM against OpenBLAS and against an earlier commit's kernels, in
// interleaved samples, for a noisy shared machine: each sample times the
// three back to back (about 2 ms each), and the ratios are taken per sample
// before their median, so that a slow spell of the host falls on all three.
// Google Benchmark's repetitions run each shape's variants minutes apart,
// and on this machine their ratios moved by 10-20% between runs.
//
// The earlier kernels are that commit's detail/gemm_isa_body.ipp, included
// into a namespace of their own (bench/gemm_paired.sh extracts it); without
// KETL_EARLIER_BODY, the current body stands in and the column reads 1.0.
//
//   bash bench/gemm_paired.sh [COMMIT] [SAMPLES]
//
// Hot operands only (the same A every call); bench_gemm has the streaming
// case. Prints GFLOP/s medians and the per-sample ratios' medians.
#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include <ketl/detail/gemm.hpp>
#include <ketl/random.hpp>

namespace ketl::detail::earlier {
#ifdef KETL_EARLIER_BODY
#include KETL_EARLIER_BODY
#else
#include "ketl/detail/gemm_isa_body.ipp"
#endif
}  // namespace ketl::detail::earlier

namespace {
using V = ketl::detail::gemm_native::xsimd_ops<float>;
using clock_type = std::chrono::steady_clock;
enum class Layout { nn, tn, nt };
struct Shape {
  std::size_t m, n, k;
  Layout layout;
};

template <class F>
double gflops(const Shape& s, F&& f, int calls) {
  const auto t0 = clock_type::now();
  for (int i = 0; i < calls; ++i) f();
  const double seconds = std::chrono::duration<double>(clock_type::now() - t0).count();
  return 2.0 * double(s.m * s.n * s.k) * calls / seconds / 1e9;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
}  // namespace

int main(int argc, char** argv) {
  const int samples = argc > 1 ? std::atoi(argv[1]) : 41;
  const Shape shapes[] = {{32, 128, 784, Layout::nn},   {128, 128, 784, Layout::nn},
                          {1000, 128, 784, Layout::nn}, {784, 128, 32, Layout::tn},
                          {784, 128, 128, Layout::tn},  {32, 784, 128, Layout::nt},
                          {128, 784, 128, Layout::nt}};
  ketl::Random rng(1);
  std::printf("%-18s %8s %8s %8s %10s %10s\n", "m x n x k", "ketl", "earlier", "OpenBLAS",
              "ketl/BLAS", "ketl/earl.");
  for (const Shape s : shapes) {
    std::vector<float> a(s.m * s.k), b(s.k * s.n), c(s.m * s.n);
    for (auto& v : a) v = float(rng.uniform(-1, 1));
    for (auto& v : b) v = float(rng.uniform(-1, 1));
    const bool tn = s.layout == Layout::tn, nt = s.layout == Layout::nt;
    const std::size_t rs = tn ? 1 : s.k, cs = tn ? s.m : 1;
    const ketl::detail::block_epilogue<float> epi{};
    // gemm and gemm_bt take the same arguments (B, or B transposed, and its
    // row stride).
    using kernel = void (*)(std::size_t, std::size_t, std::size_t, const float*, std::size_t,
                            std::size_t, const float*, std::size_t, float*, std::size_t, bool,
                            const ketl::detail::block_epilogue<float>&);
    namespace current = ketl::detail::gemm_native;
    namespace earlier = ketl::detail::earlier;
    const kernel k_now = nt ? &current::gemm_bt<V, float> : &current::gemm<V, float>;
    const kernel k_before = nt ? &earlier::gemm_bt<V, float> : &earlier::gemm<V, float>;
    auto call = [&](kernel k) {
      k(s.m, s.n, s.k, a.data(), rs, cs, b.data(), nt ? s.k : s.n, c.data(), s.n, false, epi);
    };
    auto now = [&] { call(k_now); };
    auto before = [&] { call(k_before); };
    auto blas = [&] {
      const int m = int(s.m), n = int(s.n), k = int(s.k);
      cblas_sgemm(CblasRowMajor, tn ? CblasTrans : CblasNoTrans, nt ? CblasTrans : CblasNoTrans, m,
                  n, k, 1.0f, a.data(), tn ? m : k, b.data(), nt ? k : n, 0.0f, c.data(), n);
    };
    // About 2 ms a variant at 100 GFLOP/s.
    const int calls = std::max(1, int(2e8 / double(2 * s.m * s.n * s.k)));
    now(), before(), blas();
    std::vector<double> g_now, g_before, g_blas, r_blas, r_before;
    for (int i = 0; i < samples; ++i) {
      // The order turns around every sample: whichever ran first measured
      // about 3% faster in a run of two copies of the same kernels.
      double x, y, z;
      if (i % 2 == 0) {
        x = gflops(s, now, calls), y = gflops(s, before, calls), z = gflops(s, blas, calls);
      } else {
        z = gflops(s, blas, calls), y = gflops(s, before, calls), x = gflops(s, now, calls);
      }
      g_now.push_back(x), g_before.push_back(y), g_blas.push_back(z);
      r_blas.push_back(x / z), r_before.push_back(x / y);
    }
    char name[32];
    std::snprintf(name, sizeof name, "%zu x %zu x %zu %s", s.m, s.n, s.k,
                  tn   ? "TN"
                  : nt ? "NT"
                       : "NN");
    std::printf("%-18s %8.1f %8.1f %8.1f %10.3f %10.3f\n", name, median(g_now), median(g_before),
                median(g_blas), median(r_blas), median(r_before));
  }
}
