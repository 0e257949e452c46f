// Inference on the peers' MLP (784-128-10 relu/softmax, Glorot-uniform
// kernels, untrained: predict's cost does not depend on the values): one
// sample at a time with predict_on_batch, and 1,000 rows with predict
// (batch_size 1000). Prints the median time per call over many calls.
// With `parts`, one-sample predict in its parts instead, three rounds: the
// row's copy out of the data set, predict_on_batch of one fixed row alone,
// and both (what the first figure times).
// Usage: predict_ketl <data directory> [parts]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string_view>
#include <vector>

#include <ketl/ketl.hpp>

#include "data.hpp"

namespace {
template <class F>
double median_seconds(int calls, F f) {
  std::vector<double> t;
  for (int i = 0; i < calls; ++i) {
    const auto start = std::chrono::steady_clock::now();
    f(i);
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::nth_element(t.begin(), t.begin() + calls / 2, t.end());
  return t[calls / 2];
}
}  // namespace

int main(int argc, char** argv) {
  const bool parts = argc == 3 && std::string_view(argv[2]) == "parts";
  if (argc != 2 && !parts) {
    std::fprintf(stderr, "usage: %s <data directory> [parts]\n", argv[0]);
    return 2;
  }
  const auto w = peers::load(argv[1]);
  xt::xtensor<float, 2> x = xt::adapt(w.x, std::array<std::size_t, 2>{peers::kSamples, peers::kIn});
  ketl::utils::set_random_seed(1);
  auto model = ketl::Sequential{ketl::Input<784>{}, ketl::Dense<128, ketl::Relu>{},
                                ketl::Dense<10, ketl::Softmax>{}};
  model.compile(ketl::optimizers::SGD{.lr = 0.01f}, ketl::losses::categorical_crossentropy);
  float sink = 0;
  auto one_sample = [&](int i) {
    xt::xtensor<float, 2> row = xt::view(x, xt::range(i, i + 1), xt::all());
    sink += model.predict_on_batch(row)(0, 0);
  };
  if (parts) {
    const xt::xtensor<float, 2> fixed = xt::view(x, xt::range(0, 1), xt::all());
    for (int round = 0; round < 3; ++round) {
      const double copy = median_seconds(5000, [&](int i) {
        xt::xtensor<float, 2> row = xt::view(x, xt::range(i, i + 1), xt::all());
        sink += row(0, 0);
      });
      const double alone =
          median_seconds(5000, [&](int) { sink += model.predict_on_batch(fixed)(0, 0); });
      const double both = median_seconds(5000, one_sample);
      std::printf("row copy %.2f us, predict_on_batch of a fixed row %.2f us, both %.2f us (%g)\n",
                  copy * 1e6, alone * 1e6, both * 1e6, double(sink > -1));
    }
    return 0;
  }
  const double one = median_seconds(5000, one_sample);
  const double rows = median_seconds(200, [&](int i) {
    const std::size_t s = std::size_t(i % 60) * 1000;
    xt::xtensor<float, 2> block = xt::view(x, xt::range(s, s + 1000), xt::all());
    sink += model.predict(block, {.batch_size = 1000})(0, 0);
  });
  std::printf("ketl one-sample %.2f us, 1000 rows %.3f ms (%g)\n", one * 1e6, rows * 1e3,
              double(sink > -1));
}
