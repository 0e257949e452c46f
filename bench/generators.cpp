// The generator methods' overhead and overlap, in one run:
//   Fit/Epoch                      an epoch of fit on 8192 x 784 (MLP 784-128-10, batch 64)
//   FitGenerator/Epoch/workers:W   the same batches from a cheap Sequence (references
//                                  to ready batches), W = 0 (inline) and 1 (a worker)
//   Overlap/workers:W              a generator that takes as long per batch as a training
//                                  step (it spins); W = 0 makes then trains, W = 1 overlaps
// Targets: FitGenerator/workers:1 <= 1.1x Fit; Overlap workers:0 / workers:1 >= 1.6x.
//
//   ./build/gcc-release/bench/bench_generators --benchmark_repetitions=5
//   --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <chrono>

#include <ketl/ketl.hpp>

namespace {
constexpr std::size_t kRows = 8192, kBatch = 64, kSteps = kRows / kBatch;
using Item = std::tuple<xt::xtensor<float, 2>, xt::xtensor<float, 2>>;

struct Data {
  xt::xtensor<float, 2> x = xt::zeros<float>({kRows, std::size_t{784}});
  xt::xtensor<float, 2> y = xt::zeros<float>({kRows, std::size_t{10}});
  std::vector<Item> batches;
  Data() {
    ketl::Random rng(3);
    for (auto& v : x) v = float(rng.uniform(0.0, 1.0));
    for (std::size_t i = 0; i < kRows; ++i) y(i, rng.below(10)) = 1;
    for (std::size_t b = 0; b < kSteps; ++b)
      batches.emplace_back(xt::view(x, xt::range(b * kBatch, (b + 1) * kBatch), xt::all()),
                           xt::view(y, xt::range(b * kBatch, (b + 1) * kBatch), xt::all()));
  }
};
Data& data() {
  static Data d;
  return d;
}
auto make_model() {
  ketl::utils::set_random_seed(5);
  auto m = ketl::Sequential{ketl::Input<784>{}, ketl::Dense<128, ketl::Relu>{},
                            ketl::Dense<10, ketl::Softmax>{}};
  m.compile(ketl::optimizers::SGD{.lr = 0.01f}, ketl::losses::categorical_crossentropy,
            ketl::metrics::accuracy);
  return m;
}

// A cheap Sequence: references to batches made beforehand.
struct Ready {
  const std::vector<Item>* b;
  std::size_t size() const { return b->size(); }
  const Item& operator[](std::size_t i) const { return (*b)[i]; }
};

void Fit_Epoch(benchmark::State& state) {
  auto& d = data();
  auto m = make_model();
  for (auto _ : state)
    m.fit(d.x, d.y, {.batch_size = kBatch, .epochs = 1, .verbose = 0, .shuffle = false});
  state.SetItemsProcessed(std::int64_t(state.iterations() * kRows));
}
BENCHMARK(Fit_Epoch)->Unit(benchmark::kMillisecond)->UseRealTime();

void FitGenerator_Epoch(benchmark::State& state) {
  auto& d = data();
  auto m = make_model();
  Ready seq{&d.batches};
  const auto workers = static_cast<std::size_t>(state.range(0));
  for (auto _ : state)
    m.fit_generator(seq, {.epochs = 1, .verbose = 0, .workers = workers, .shuffle = false});
  state.SetItemsProcessed(std::int64_t(state.iterations() * kRows));
}
BENCHMARK(FitGenerator_Epoch)
    ->ArgName("workers")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The time of one training step, measured once.
std::chrono::nanoseconds step_time() {
  static const auto t = [] {
    auto& d = data();
    auto m = make_model();
    m.fit(d.x, d.y, {.batch_size = kBatch, .epochs = 1, .verbose = 0, .shuffle = false});
    const auto start = std::chrono::steady_clock::now();
    m.fit(d.x, d.y, {.batch_size = kBatch, .epochs = 2, .verbose = 0, .shuffle = false});
    return (std::chrono::steady_clock::now() - start) / (2 * kSteps);
  }();
  return t;
}

void Overlap(benchmark::State& state) {
  auto& d = data();
  auto m = make_model();
  const auto workers = static_cast<std::size_t>(state.range(0));
  const auto cost = step_time();
  std::size_t next = 0;
  auto producer = [&] {
    // Work as long as a training step: a spin, so it needs a core of its own.
    const auto until = std::chrono::steady_clock::now() + cost;
    while (std::chrono::steady_clock::now() < until) {
    }
    return d.batches[next++ % kSteps];
  };
  for (auto _ : state)
    m.fit_generator(producer,
                    {.steps_per_epoch = kSteps, .epochs = 1, .verbose = 0, .workers = workers});
  state.counters["step_us"] = double(cost.count()) / 1e3;
}
BENCHMARK(Overlap)
    ->ArgName("workers")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
}  // namespace

BENCHMARK_MAIN();
