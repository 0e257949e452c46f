// One-sample predict of the peers' MLP (784-128-10) in its parts: the row's
// copy out of the data set (as predict_ketl.cpp times with it), and
// predict_on_batch of one fixed row alone. Three rounds of the median call
// over 5,000 calls each. Build and run as predict_ketl.cpp:
//   g++ -std=c++20 -O2 -march=native -DNDEBUG -Ibench/peers -Iinclude
//       bench/peers/predict_parts.cpp -o predict_parts -lz -pthread
//   taskset -c 1 ./predict_parts <data directory from make_data.py>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include <ketl/ketl.hpp>

#include "data.hpp"

namespace {
template <class F>
double median_us(int calls, F f) {
  std::vector<double> t;
  for (int i = 0; i < calls; ++i) {
    const auto start = std::chrono::steady_clock::now();
    f(i);
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::nth_element(t.begin(), t.begin() + calls / 2, t.end());
  return t[calls / 2] * 1e6;
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
  const xt::xtensor<float, 2> fixed = xt::view(x, xt::range(0, 1), xt::all());
  for (int round = 0; round < 3; ++round) {
    const double copy = median_us(5000, [&](int i) {
      xt::xtensor<float, 2> row = xt::view(x, xt::range(i, i + 1), xt::all());
      sink += row(0, 0);
    });
    const double alone = median_us(5000, [&](int) { sink += model.predict_on_batch(fixed)(0, 0); });
    const double both = median_us(5000, [&](int i) {
      xt::xtensor<float, 2> row = xt::view(x, xt::range(i, i + 1), xt::all());
      sink += model.predict_on_batch(row)(0, 0);
    });
    std::printf("row copy %.2f us, predict_on_batch of a fixed row %.2f us, both %.2f us (%g)\n",
                copy, alone, both, double(sink > -1));
  }
}
