// The LSTM's arithmetic rate against the machine's FMA peak, forward and
// backward apart, single thread, at the Fashion-MNIST LSTM's shapes
// (examples/fashion_mnist_lstm.cpp: 28 steps of 28 features, 128 units) and
// batch 32 and 128. Its FLOPs are its GEMMs':
//   forward   x W (all steps at once) + 27 steps of h U
//   backward  27 steps of dz U^T, dU = hprev^T dz, dW = x^T dz, dx = dz W^T
// A pass's GFLOP/s over BM_fma_peak's is how close it comes to the bound
// its GEMMs set: the gates, the copies and the GEMMs' own edges are the
// rest. BM_fma_peak is 12 independent chains of vector FMAs, in the same run.
//   ./build/gcc-release/bench/bench_recurrent --benchmark_repetitions=5
//   --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <vector>

#include <ketl/ketl.hpp>

#include "fma_peak.hpp"

namespace {

BENCHMARK(BM_fma_peak);

void lstm_pass(benchmark::State& state, bool backward) {
  constexpr std::size_t S = 28, F = 28, U = 128, G = 4 * U;
  using In = ketl::Shape<S, F>;
  using Layer = ketl::LSTM<U, ketl::rnn{}, ketl::Tanh, ketl::Sigmoid>;
  const auto n = std::size_t(state.range(0));
  Layer layer;
  ketl::Random rng(1);
  layer.build<In>(rng);
  std::vector<float> x(n * In::size), y(n * U), dy(n * U), dx(n * In::size);
  for (auto& v : x) v = float(rng.uniform());
  for (auto& v : dy) v = float(rng.uniform(-1, 1));
  std::vector<float> scratch(n * Layer::scratch_per_sample<In>);
  ketl::Pass<float> pass{true, &rng, scratch.data()};
  layer.forward<In>(x.data(), y.data(), n, pass);
  std::vector<float> g = dy;
  for (auto _ : state) {
    if (backward) {
      g = dy;
      layer.backward<In>(x.data(), y.data(), g.data(), dx.data(), n, pass);
    } else {
      layer.forward<In>(x.data(), y.data(), n, pass);
    }
    benchmark::ClobberMemory();
  }
  const double rows = double(n * S), steps = double(S - 1);
  const double fwd = 2.0 * (rows * F * G + steps * double(n) * U * G);
  const double bwd = 2.0 * (steps * double(n) * G * U + U * G * rows + F * G * rows + rows * G * F);
  state.counters["GFLOP/s"] = benchmark::Counter(
      double(state.iterations()) * (backward ? bwd : fwd), benchmark::Counter::kIsRate);
}

void BM_lstm_forward(benchmark::State& state) { lstm_pass(state, false); }
void BM_lstm_backward(benchmark::State& state) { lstm_pass(state, true); }
BENCHMARK(BM_lstm_forward)->Arg(32)->Arg(128)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_lstm_backward)->Arg(32)->Arg(128)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
