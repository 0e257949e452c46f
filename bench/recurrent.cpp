// The LSTM's arithmetic rate against the machine's FMA peak, forward and
// backward apart, single thread, at the Fashion-MNIST LSTM's shapes
// (examples/fashion_mnist_lstm.cpp: 28 steps of 28 features, 128 units) and
// batch 32 and 128. Its FLOPs are its GEMMs':
//   forward   x W (all steps at once) + 27 steps of h U
//   backward  27 steps of dz U^T, dU = hprev^T dz, dW = x^T dz, dx = dz W^T
// A pass's GFLOP/s over BM_fma_peak's is how close it comes to the bound
// its GEMMs set: the gates, the copies and the GEMMs' own edges are the
// rest. BM_fma_peak is 12 independent chains of vector FMAs, in the same run.
// BM_lstm_projection and BM_lstm_recurrent_gemm are the forward's GEMMs alone.
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

// The forward pass's two GEMMs alone, as the layer calls them, for where
// its time goes: the input projection of all 28 steps at once (rows = 28n,
// k = 28, into a 28n x 512 gates buffer, with the bias), and the 28 steps'
// h . U added into that buffer's step slices (the gates buffer cold, as in
// the layer, where the projection wrote it long before), or into one slice
// (hot).
void BM_lstm_projection(benchmark::State& state) {
  constexpr std::size_t S = 28, F = 28, G = 512;
  const auto rows = std::size_t(state.range(0)) * S;
  std::vector<float> x(rows * F, 0.5f), w(F * G, 0.01f), c(rows * G), bias(G, 0.1f);
  for (auto _ : state) {
    ketl::detail::gemm_parallel(
        rows, G, F, x.data(), F, std::size_t{1}, w.data(), G, c.data(), G, false,
        ketl::detail::bias_activation<ketl::Linear, float>{bias.data(), {}});
    benchmark::ClobberMemory();
  }
  state.counters["GFLOP/s"] = benchmark::Counter(double(state.iterations()) * 2.0 * rows * G * F,
                                                 benchmark::Counter::kIsRate);
}
void recurrent_gemms(benchmark::State& state, bool hot) {
  constexpr std::size_t S = 28, U = 128, G = 512;
  const auto n = std::size_t(state.range(0));
  std::vector<float> h(n * U, 0.5f), u(U * G, 0.01f), c((hot ? 1 : S) * n * G, 0.f);
  ketl::detail::packed_b<float> packed;
  packed.pack(u.data(), U, G, G);
  for (auto _ : state) {
    for (std::size_t t = 0; t < S; ++t)
      ketl::detail::gemm_parallel(n, h.data(), U, std::size_t{1}, packed,
                                  c.data() + (hot ? 0 : t * n * G), G, true);
    benchmark::ClobberMemory();
  }
  state.counters["GFLOP/s"] = benchmark::Counter(
      double(state.iterations()) * 2.0 * S * double(n) * U * G, benchmark::Counter::kIsRate);
}
void BM_lstm_recurrent_gemm(benchmark::State& state) { recurrent_gemms(state, false); }
void BM_lstm_recurrent_gemm_hot(benchmark::State& state) { recurrent_gemms(state, true); }
BENCHMARK(BM_lstm_projection)->Arg(32)->Arg(128)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_lstm_recurrent_gemm)->Arg(32)->Arg(128)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_lstm_recurrent_gemm_hot)->Arg(32)->Arg(128)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
