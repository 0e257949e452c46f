// Inference on the peers' MLP (784-128-10 relu/softmax, Glorot-uniform
// kernels, untrained: predict's cost does not depend on the values): one
// sample at a time with predict_on_batch, and 1,000 rows with predict
// (batch_size 1000). Prints the median time per call over many calls.
// Usage: predict_ketl <data directory>
#include <algorithm>
#include <chrono>
#include <cstdio>
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
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <data directory>\n", argv[0]);
    return 2;
  }
  const auto w = peers::load(argv[1]);
  xt::xtensor<float, 2> x = xt::adapt(w.x, std::array<std::size_t, 2>{peers::kSamples, peers::kIn});
  ketl::utils::set_random_seed(1);
  auto model = ketl::Sequential{ketl::Input<784>{}, ketl::Dense<128, ketl::Relu>{},
                                ketl::Dense<10, ketl::Softmax>{}};
  model.compile(ketl::optimizers::SGD{.lr = 0.01f}, ketl::losses::categorical_crossentropy);
  float sink = 0;
  const double one = median_seconds(5000, [&](int i) {
    xt::xtensor<float, 2> row = xt::view(x, xt::range(i, i + 1), xt::all());
    sink += model.predict_on_batch(row)(0, 0);
  });
  const double rows = median_seconds(200, [&](int i) {
    const std::size_t s = std::size_t(i % 60) * 1000;
    xt::xtensor<float, 2> block = xt::view(x, xt::range(s, s + 1000), xt::all());
    sink += model.predict(block, {.batch_size = 1000})(0, 0);
  });
  std::printf("ketl one-sample %.2f us, 1000 rows %.3f ms (%g)\n", one * 1e6, rows * 1e3,
              double(sink > -1));
}
