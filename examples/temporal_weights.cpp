// Timestep-wise sample weights (Keras's sample_weight_mode="temporal") on
// padded sequences, with weighted_metrics.
//
// Each UCI digit (data/digits.csv) becomes a sequence of 8 steps: step t
// shows the image's first t + 1 pixel rows (the rest zero), and every
// step's target is the digit. The sequences are cut to lengths 3..8 and
// padded with zero steps, whose targets are a padding class (0). A (N, T)
// weight of 0 on the padded steps keeps them out of the loss and out of
// the weighted metric, as Keras's mask-by-weights idiom does; Dense runs on
// every step, as Keras's Dense on 3-D input.
//
// Usage: temporal_weights [path to digits.csv]
#include <iostream>

#include <ketl/ketl.hpp>

#ifndef KETL_DATA_DIR
#define KETL_DATA_DIR "data"
#endif

using namespace ketl;

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : KETL_DATA_DIR "/digits.csv";
  try {
    const auto data = datasets::digits::load_csv(path);
    const std::size_t n = data.x.shape()[0];
    constexpr std::size_t T = 8, F = 64, C = 10;
    xt::xtensor<float, 3> x = xt::zeros<float>({n, T, F});
    xt::xtensor<float, 3> y = xt::zeros<float>({n, T, C});
    xt::xtensor<float, 2> w = xt::zeros<float>({n, T});
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t length = 3 + i % 6;
      for (std::size_t t = 0; t < T; ++t) {
        const bool real = t < length;
        for (std::size_t f = 0; real && f < (t + 1) * 8; ++f) x(i, t, f) = data.x(i, f) / 16.0f;
        y(i, t, real ? data.y(i) : 0) = 1;
        w(i, t) = real ? 1.0f : 0.0f;
      }
    }

    utils::set_random_seed(2);
    auto model = Sequential{Input<T, F>{}, Dense<64, Relu>{}, Dense<C, Softmax>{}};
    model.compile(optimizers::Adam{.lr = 0.003f}, losses::categorical_crossentropy,
                  metrics::accuracy, ketl::temporal, ketl::weighted_metrics(metrics::accuracy));
    model.summary();
    const History h = model.fit(x, y,
                                {.batch_size = 32,
                                 .epochs = 20,
                                 .verbose = 2,
                                 .validation_split = 0.2,
                                 .sample_weight = w});

    // acc counts the padded steps too, which never reached the loss;
    // weighted_acc counts only the real ones.
    const double acc = h.history.at("val_acc").back();
    const double real_acc = h.history.at("val_weighted_acc").back();
    std::cout << "validation: acc over all steps " << acc << ", weighted_acc over real steps "
              << real_acc << '\n';

    // A 1-D weight per sample is refused in temporal mode, with Keras's message.
    const xt::xtensor<float, 1> per_sample = xt::ones<float>({n});
    try {
      model.fit(x, y, {.verbose = 0, .sample_weight = per_sample});
    } catch (const ketl::value_error& e) {
      std::cout << "as expected: " << e.what() << '\n';
    }
    // A digit is told from its first rows well above chance (0.1); the
    // early steps, of one or two rows, are the hard ones.
    return real_acc > 0.6 && acc < real_acc ? 0 : 1;
  } catch (const ketl::error& err) {
    std::cerr << err.what() << '\n';
    return 1;
  }
}
