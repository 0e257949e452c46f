// One training epoch of the demo MLP (784-256-128-10, relu/softmax,
// categorical cross-entropy, plain SGD) on synthetic data of Fashion-MNIST's
// size, against a hand-written loop doing the same arithmetic with the same
// GEMM kernel but with no model machinery (the baseline, in the same run).
//
//   ./build/bench/bench_train_epoch --benchmark_repetitions=5
//   --benchmark_report_aggregates_only=true
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>

#include <benchmark/benchmark.h>

#include <ketl/ketl.hpp>

namespace {
constexpr std::size_t kSamples = 60000;

struct Data {
  xt::xtensor<float, 2> x, y;
  Data() {
    ketl::Random rng(1);
    x = xt::xtensor<float, 2>::from_shape({kSamples, 784});
    y = xt::zeros<float>({kSamples, std::size_t{10}});
    for (auto& v : x) v = float(rng.uniform());
    for (std::size_t i = 0; i < kSamples; ++i) y(i, rng.below(10)) = 1.0f;
  }
};
const Data& data() {
  static const Data d;
  return d;
}

void BM_ketl_epoch(benchmark::State& state) {
  const auto batch = static_cast<std::size_t>(state.range(0));
  auto model = ketl::Sequential{ketl::Input<784>{}, ketl::Dense<256, ketl::Relu>{},
                                ketl::Dense<128, ketl::Relu>{}, ketl::Dense<10, ketl::Softmax>{}};
  model.compile(ketl::optimizers::SGD{.lr = 0.01f}, ketl::losses::categorical_crossentropy);
  for (auto _ : state) {
    auto h = model.fit(data().x, data().y,
                       {.batch_size = batch, .epochs = 1, .verbose = 0, .shuffle = false});
    benchmark::DoNotOptimize(h);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kSamples));
}

// The same epoch written by hand: the layers' arithmetic inlined, buffers
// allocated once, no model, no type erasure, no per-batch bookkeeping.
void BM_handwritten_epoch(benchmark::State& state) {
  const auto bs = static_cast<std::size_t>(state.range(0));
  constexpr std::size_t d0 = 784, d1 = 256, d2 = 128, d3 = 10;
  ketl::Random rng(2);
  auto init = [&](std::size_t in, std::size_t out) {
    std::vector<float> w(in * out);
    ketl::initializers::glorot_uniform().fill(std::span<float>(w), in, out, rng);
    return w;
  };
  auto w1 = init(d0, d1), w2 = init(d1, d2), w3 = init(d2, d3);
  std::vector<float> b1(d1), b2(d2), b3(d3);
  std::vector<float> h1(bs * d1), h2(bs * d2), out(bs * d3), g3(bs * d3), g2(bs * d2), g1(bs * d1);
  std::vector<float> dw1(w1.size()), dw2(w2.size()), dw3(w3.size()), t2(w2.size()), t3(w3.size());
  std::vector<float> db1(d1), db2(d2), db3(d3);
  const float lr = 0.01f;
  using ketl::detail::gemm;
  auto dense = [](const float* x, std::size_t n, std::size_t in, const std::vector<float>& w,
                  const std::vector<float>& b, std::size_t units, float* y, bool relu) {
    gemm(n, units, in, x, in, std::size_t{1}, w.data(), units, y, units, false);
    for (std::size_t r = 0; r < n; ++r)
      for (std::size_t j = 0; j < units; ++j) {
        const float v = y[r * units + j] + b[j];
        y[r * units + j] = relu && v < 0 ? 0.0f : v;
      }
  };
  auto grads = [](const float* x, std::size_t n, std::size_t in, const float* dz, std::size_t units,
                  std::vector<float>& dw, std::vector<float>& db) {
    gemm(in, units, n, x, std::size_t{1}, in, dz, units, dw.data(), units, false);
    std::fill(db.begin(), db.end(), 0.0f);
    for (std::size_t r = 0; r < n; ++r)
      for (std::size_t j = 0; j < units; ++j) db[j] += dz[r * units + j];
  };
  auto sgd = [lr](std::vector<float>& p, const std::vector<float>& g) {
    for (std::size_t i = 0; i < p.size(); ++i) p[i] -= lr * g[i];
  };
  for (auto _ : state) {
    for (std::size_t s = 0; s < kSamples; s += bs) {
      const std::size_t n = std::min(bs, kSamples - s);
      const float* x = data().x.data() + s * d0;
      const float* y = data().y.data() + s * d3;
      dense(x, n, d0, w1, b1, d1, h1.data(), true);
      dense(h1.data(), n, d1, w2, b2, d2, h2.data(), true);
      dense(h2.data(), n, d2, w3, b3, d3, out.data(), false);
      for (std::size_t r = 0; r < n;
           ++r) {  // softmax + cross-entropy: dz = p - y, over the batch mean
        float* o = out.data() + r * d3;
        const float m = *std::max_element(o, o + d3);
        float sum = 0;
        for (std::size_t j = 0; j < d3; ++j) sum += (o[j] = std::exp(o[j] - m));
        for (std::size_t j = 0; j < d3; ++j)
          g3[r * d3 + j] = (o[j] / sum - y[r * d3 + j]) / float(n);
      }
      grads(h2.data(), n, d2, g3.data(), d3, dw3, db3);
      ketl::detail::transpose(w3.data(), d2, d3, t3.data());
      gemm(n, d2, d3, g3.data(), d3, std::size_t{1}, t3.data(), d2, g2.data(), d2, false);
      for (std::size_t i = 0; i < n * d2; ++i) g2[i] = h2[i] > 0 ? g2[i] : 0.0f;
      grads(h1.data(), n, d1, g2.data(), d2, dw2, db2);
      ketl::detail::transpose(w2.data(), d1, d2, t2.data());
      gemm(n, d1, d2, g2.data(), d2, std::size_t{1}, t2.data(), d1, g1.data(), d1, false);
      for (std::size_t i = 0; i < n * d1; ++i) g1[i] = h1[i] > 0 ? g1[i] : 0.0f;
      grads(x, n, d0, g1.data(), d1, dw1, db1);
      sgd(w1, dw1), sgd(w2, dw2), sgd(w3, dw3), sgd(b1, db1), sgd(b2, db2), sgd(b3, db3);
    }
    benchmark::DoNotOptimize(w1.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kSamples));
}
// check_numerics's cost (issue 13): a W1 epoch (784-128-10, SGD) with the
// NaN check of every input batch on (1) or off (0), shuffled (the check is
// fused with the gather) or not (a read-only pass over the rows in place).
void BM_w1_check_numerics(benchmark::State& state) {
  const auto batch = static_cast<std::size_t>(state.range(0));
  const bool shuffle = state.range(1) != 0, check = state.range(2) != 0;
  auto model = ketl::Sequential{ketl::Input<784>{}, ketl::Dense<128, ketl::Relu>{},
                                ketl::Dense<10, ketl::Softmax>{}};
  model.compile(ketl::optimizers::SGD{.lr = 0.01f}, ketl::losses::categorical_crossentropy);
  model.set_check_numerics(check);
  for (auto _ : state) {
    auto h = model.fit(data().x, data().y,
                       {.batch_size = batch, .epochs = 1, .verbose = 0, .shuffle = shuffle});
    benchmark::DoNotOptimize(h);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kSamples));
}
// The engine's cost on a functional model (issue 14): the W1 MLP as a
// Sequential and as its functional twin, one epoch each, the same weights
// and data. The target is functional / Sequential <= 1.05.
template <bool Functional>
void BM_w1_model(benchmark::State& state) {
  const auto batch = static_cast<std::size_t>(state.range(0));
  auto run = [&](auto& model) {
    model.compile(ketl::optimizers::SGD{.lr = 0.01f}, ketl::losses::categorical_crossentropy);
    for (auto _ : state) {
      auto h = model.fit(data().x, data().y, {.batch_size = batch, .epochs = 1, .verbose = 0});
      benchmark::DoNotOptimize(h);
    }
  };
  if constexpr (Functional) {
    auto in = ketl::Input<784>{};
    auto model =
        ketl::Model{in, ketl::Dense<10, ketl::Softmax>{}(ketl::Dense<128, ketl::Relu>{}(in))};
    run(model);
  } else {
    auto model = ketl::Sequential{ketl::Input<784>{}, ketl::Dense<128, ketl::Relu>{},
                                  ketl::Dense<10, ketl::Softmax>{}};
    run(model);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kSamples));
}

// Two threads on a loaded machine (issue 16): a W1 epoch on 1 or 2 threads,
// with the other core idle (busy = 0) or held by a spinning process at
// normal priority (busy = 1), as a compile job would hold it.
void BM_w1_threads(benchmark::State& state) {
  const auto batch = static_cast<std::size_t>(state.range(0));
  const auto threads = static_cast<std::size_t>(state.range(1));
  const bool busy = state.range(2) != 0;
  pid_t spinner = -1;
  if (busy && (spinner = fork()) == 0) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::minutes(10);
    for (volatile unsigned long n = 0; std::chrono::steady_clock::now() < end;) n = n + 1;
    _exit(0);
  }
  auto model = ketl::Sequential{ketl::Input<784>{}, ketl::Dense<128, ketl::Relu>{},
                                ketl::Dense<10, ketl::Softmax>{}};
  model.compile(ketl::optimizers::SGD{.lr = 0.01f}, ketl::losses::categorical_crossentropy);
  ketl::set_num_threads(threads);
  for (auto _ : state) {
    auto h = model.fit(data().x, data().y, {.batch_size = batch, .epochs = 1, .verbose = 0});
    benchmark::DoNotOptimize(h);
  }
  ketl::set_num_threads(1);
  if (spinner > 0) {
    kill(spinner, SIGKILL);
    waitpid(spinner, nullptr, 0);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kSamples));
}

// The pool's hand-off: one round of two trivial parts, the caller's and a
// helper's, when the helper is spinning for work (rounds back to back).
void BM_pool_handoff(benchmark::State& state) {
  auto& pool = ketl::detail::thread_pool::instance();
  std::atomic<int> sink{0};
  auto part = [&](std::size_t i) { sink.fetch_add(int(i), std::memory_order_relaxed); };
  pool.run(2, part);  // starts the helper
  for (auto _ : state) pool.run(2, part);
  benchmark::DoNotOptimize(sink.load());
}
}  // namespace

BENCHMARK(BM_pool_handoff)->UseRealTime();
BENCHMARK(BM_w1_threads)
    ->ArgsProduct({{32, 128}, {1, 2}, {0, 1}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_w1_model<false>)->Arg(32)->Arg(128)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_w1_model<true>)->Arg(32)->Arg(128)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_w1_check_numerics)
    ->ArgsProduct({{32, 128}, {1, 0}, {1, 0}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_ketl_epoch)->Arg(32)->Arg(128)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_handwritten_epoch)->Arg(32)->Arg(128)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_MAIN();
