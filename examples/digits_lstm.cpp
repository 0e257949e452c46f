// An LSTM reads each 8x8 digit (data/digits.csv) as a sequence: 8
// timesteps, one image row of 8 pixels each, and a Dense softmax classifies
// its last state. Trained on the first 80% of the rows, reported on the
// last 20% (other writers), as digits_mlp.
//
// Usage: digits_lstm [epochs] [seed] [path to digits.csv]
#include <cstdlib>
#include <iostream>
#include <string>

#include <ketl/ketl.hpp>

#ifndef KETL_DATA_DIR
#define KETL_DATA_DIR "data"
#endif

// Images moved by (dy, dx) pixels, zero-filled: more writers' habits.
static xt::xtensor<float, 3> shifted(const xt::xtensor<float, 3>& x, int dy, int dx) {
  xt::xtensor<float, 3> out = xt::zeros<float>(x.shape());
  for (std::size_t i = 0; i < x.shape()[0]; ++i)
    for (int r = 0; r < 8; ++r)
      for (int c = 0; c < 8; ++c) {
        const int sr = r - dy, sc = c - dx;
        if (sr >= 0 && sr < 8 && sc >= 0 && sc < 8)
          out(i, std::size_t(r), std::size_t(c)) = x(i, std::size_t(sr), std::size_t(sc));
      }
  return out;
}

int main(int argc, char** argv) {
  const int epochs = argc > 1 ? std::atoi(argv[1]) : 30;
  const unsigned seed = argc > 2 ? unsigned(std::atoi(argv[2])) : 1;
  const std::string path = argc > 3 ? argv[3] : KETL_DATA_DIR "/digits.csv";
  try {
    const auto data = ketl::datasets::digits::load_csv(path);
    const std::size_t n = data.y.size(), split = n * 8 / 10;
    // (N, 64) pixels 0..16 become (N, 8 steps, 8 features) in [0, 1].
    xt::xtensor<float, 3> x = xt::reshape_view(data.x / 16.0f, {n, std::size_t(8), std::size_t(8)});
    const auto y = ketl::utils::to_categorical(data.y, 10);
    const xt::xtensor<float, 3> x_train = xt::view(x, xt::range(0, split));
    const xt::xtensor<float, 2> y_train = xt::view(y, xt::range(0, split));
    const xt::xtensor<float, 3> x_test = xt::view(x, xt::range(split, n));
    const xt::xtensor<float, 2> y_test = xt::view(y, xt::range(split, n));
    // The training images and their eight one-pixel shifts.
    xt::xtensor<float, 3> x_aug = x_train;
    xt::xtensor<float, 2> y_aug = y_train;
    for (int dy = -1; dy <= 1; ++dy)
      for (int dx = -1; dx <= 1; ++dx)
        if (dy != 0 || dx != 0) {
          x_aug = xt::concatenate(xt::xtuple(x_aug, shifted(x_train, dy, dx)));
          y_aug = xt::concatenate(xt::xtuple(y_aug, y_train));
        }

    ketl::utils::set_random_seed(seed);
    auto model = ketl::Sequential{ketl::Input<8, 8>{}, ketl::LSTM<64>{}, ketl::Dropout{0.3f},
                                  ketl::Dense<10, ketl::Softmax>{}};
    model.summary();
    model.compile(ketl::optimizers::Adam{}, ketl::losses::categorical_crossentropy,
                  ketl::metrics::accuracy);
    const auto history =
        model.fit(x_aug, y_aug, {.batch_size = 32, .epochs = epochs, .verbose = 2});
    const auto scores = model.evaluate(x_test, y_test, {.verbose = 0});
    std::cout << "held-out loss " << scores[0] << ", accuracy " << scores[1] << " after "
              << history.epoch.size() << " epochs\n";
    return 0;
  } catch (const ketl::error& e) {
    std::cerr << e.what() << '\n';
    return 1;
  }
}
