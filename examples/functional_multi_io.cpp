// The functional API on the UCI digits: two inputs, two outputs.
//
//   pixels (64)   -> Dense(64, relu) ----------------+-> Concatenate -> Dense(10, softmax)  "digit"
//   profile (16)  -> Dense(16, relu) -> shared Dense | (main)
//                                         ^ also on the pixel branch's features
//   pixels branch -> Dense(1, sigmoid) "large": is the digit 5 or more? (auxiliary, weight 0.2)
//
// The second input is a hand-made feature vector: the ink in each of the 8
// rows and 8 columns of the image. The labels stay uint8, as the loader
// gives them: sparse_categorical_crossentropy reads them directly.
//
// Usage: functional_multi_io [path to digits.csv]
#include <iostream>

#include <ketl/ketl.hpp>

#ifndef KETL_DATA_DIR
#define KETL_DATA_DIR "data"
#endif

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : KETL_DATA_DIR "/digits.csv";
  try {
    const auto data = ketl::datasets::digits::load_csv(path);
    const std::size_t n = data.y.size(), split = n * 8 / 10;
    const xt::xtensor<float, 2> pixels = data.x / 16.0f;
    xt::xtensor<float, 2> profile = xt::zeros<float>({n, std::size_t{16}});
    xt::xtensor<float, 2> large = xt::zeros<float>({n, std::size_t{1}});
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t r = 0; r < 8; ++r)
        for (std::size_t c = 0; c < 8; ++c) {
          profile(i, r) += pixels(i, r * 8 + c) / 8;
          profile(i, 8 + c) += pixels(i, r * 8 + c) / 8;
        }
      large(i, 0) = data.y(i) >= 5 ? 1.0f : 0.0f;
    }
    auto rows = [](const auto& a, std::size_t from, std::size_t to) {
      return xt::xtensor<typename std::decay_t<decltype(a)>::value_type,
                         std::decay_t<decltype(a)>::rank>(xt::view(a, xt::range(from, to)));
    };

    ketl::utils::set_random_seed(2);
    auto pix = ketl::Input<64>{{.name = "pixels"}};
    auto prof = ketl::Input<16>{{.name = "profile"}};
    auto p = ketl::Dense<64, ketl::Relu>{}(pix);
    auto q = ketl::Dense<16, ketl::Relu>{}(prof);
    auto mix = ketl::shared(ketl::Dense<16, ketl::Relu>{});  // one layer, used twice
    auto merged = ketl::Concatenate{}(p, mix(q), mix(ketl::Dense<16, ketl::Relu>{}(p)));
    auto digit = ketl::Dense<10, ketl::Softmax>{{.name = "digit"}}(merged);
    auto big = ketl::Dense<1, ketl::Sigmoid>{{.name = "large"}}(p);
    auto model = ketl::Model{ketl::inputs(pix, prof), ketl::outputs(digit, big)};
    model.summary();
    model.compile(ketl::optimizers::Adam{.lr = 0.003f},
                  ketl::per_output(ketl::losses::sparse_categorical_crossentropy,
                                   ketl::losses::binary_crossentropy),
                  ketl::metrics::accuracy,
                  // Keras's metrics={"large": [...]}: the auxiliary output's own metrics.
                  ketl::metrics_for<1>(ketl::metrics::precision, ketl::metrics::recall),
                  ketl::loss_weights(1.0, 0.2));

    const auto x_pix = rows(pixels, 0, split), x_prof = rows(profile, 0, split);
    const auto y_digit = rows(data.y, 0, split);
    const auto y_large = rows(large, 0, split);
    model.fit(std::tie(x_pix, x_prof), std::tie(y_digit, y_large),
              {.batch_size = 32, .epochs = 30, .verbose = 2, .validation_split = 0.1});

    const auto t_pix = rows(pixels, split, n), t_prof = rows(profile, split, n);
    const auto t_digit = rows(data.y, split, n);
    const auto t_large = rows(large, split, n);
    const auto scores =
        model.evaluate(std::tie(t_pix, t_prof), std::tie(t_digit, t_large), {.verbose = 0});
    const auto names = model.metrics_names();
    for (std::size_t i = 0; i < names.size(); ++i)
      std::cout << "held-out " << names[i] << ": " << scores[i] << '\n';
    auto [p_digit, p_large] = model.predict(std::tie(t_pix, t_prof));
    std::cout << "first held-out digit: label " << int(t_digit(0)) << ", P(label) "
              << p_digit(0, t_digit(0)) << ", P(large) " << p_large(0, 0) << '\n';
    // The smoke test's bar: the main output must have learnt the digits.
    return scores[3] >= 0.90 ? 0 : 2;
  } catch (const ketl::error& e) {
    std::cerr << e.what() << '\n';
    return 1;
  }
}
