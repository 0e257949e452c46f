// The convolution layers' arithmetic rate against the machine's FMA peak,
// forward and backward apart, single thread, at the Fashion-MNIST CNN's
// two convolutions (examples/fashion_mnist_cnn.cpp) and batch 128:
//   conv1  (28, 28, 1)  -> 3x3, 32 filters   K = 9: a thin GEMM, im2col-bound
//   conv2  (13, 13, 32) -> 3x3, 64 filters   K = 288
// GFLOP/s count 2 * rows * K * filters per GEMM: one forward, two backward
// (dK and dx; conv1's dx too, though the first layer of a model skips it).
// BM_fma_peak is the same machine's peak in the same run: 12 independent
// chains of vector FMAs, so the ratio needs no clock or spec sheet.
//   ./build/gcc-release/bench/bench_conv --benchmark_repetitions=5
//   --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <vector>

#include <ketl/ketl.hpp>

#include "fma_peak.hpp"

namespace {
using ketl::conv2d;

BENCHMARK(BM_fma_peak);

template <class Layer, class In>
void conv_pass(benchmark::State& state, bool backward) {
  constexpr std::size_t n = 128;
  using Out = typename Layer::template output_shape<In>;
  Layer layer;
  ketl::Random rng(1);
  layer.template build<In>(rng);
  std::vector<float> x(n * In::size), y(n * Out::size), dy(n * Out::size), dx(n * In::size);
  for (auto& v : x) v = float(rng.uniform());
  for (auto& v : dy) v = float(rng.uniform(-1, 1));
  ketl::Pass<float> pass{true, &rng, nullptr};
  layer.template forward<In>(x.data(), y.data(), n, pass);
  std::vector<float> g = dy;
  for (auto _ : state) {
    if (backward) {
      g = dy;
      layer.template backward<In>(x.data(), y.data(), g.data(), dx.data(), n, pass);
    } else {
      layer.template forward<In>(x.data(), y.data(), n, pass);
    }
    benchmark::ClobberMemory();
  }
  constexpr auto G = Layer::template geometry<In>;
  const double flops = 2.0 * double(n * G.oh * G.ow) * double(G.window()) * double(Layer::filters);
  state.counters["GFLOP/s"] = benchmark::Counter(
      double(state.iterations()) * flops * (backward ? 2 : 1), benchmark::Counter::kIsRate);
}

using Conv1 = ketl::Conv2D<32, conv2d{.kernel = {3, 3}}, ketl::Relu>;
using Conv2 = ketl::Conv2D<64, conv2d{.kernel = {3, 3}}, ketl::Relu>;
void BM_conv1_forward(benchmark::State& s) { conv_pass<Conv1, ketl::Shape<28, 28, 1>>(s, false); }
void BM_conv1_backward(benchmark::State& s) { conv_pass<Conv1, ketl::Shape<28, 28, 1>>(s, true); }
void BM_conv2_forward(benchmark::State& s) { conv_pass<Conv2, ketl::Shape<13, 13, 32>>(s, false); }
void BM_conv2_backward(benchmark::State& s) { conv_pass<Conv2, ketl::Shape<13, 13, 32>>(s, true); }
BENCHMARK(BM_conv1_forward)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_conv1_backward)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_conv2_forward)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_conv2_backward)->Unit(benchmark::kMillisecond);
}  // namespace

BENCHMARK_MAIN();
