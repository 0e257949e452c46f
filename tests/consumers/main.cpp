// The program each consumer route builds: a small model trained on a
// learnable rule, through whatever way the project found ketl.
#include <cstdio>
#include <string>

#include <ketl/ketl.hpp>

int main() {
  ketl::utils::set_random_seed(5);
  xt::xtensor<float, 2> x = xt::zeros<float>({256, 4});
  xt::xtensor<int, 1> y = xt::zeros<int>({256});
  ketl::Random rng(3);
  for (std::size_t i = 0; i < 256; ++i) {
    for (std::size_t j = 0; j < 4; ++j) x(i, j) = float(rng.uniform(-1, 1));
    y(i) = x(i, 0) + x(i, 1) > 0 ? 1 : 0;
  }
  auto model = ketl::Sequential{ketl::Input<4>{}, ketl::Dense<16, ketl::Relu>{},
                                ketl::Dense<2, ketl::Softmax>{}};
  // Typed: the string spelling instantiates every loss and metric, a third
  // of the compile, and the routes are what this program tests.
  model.compile(ketl::optimizers::Adam{}, ketl::losses::sparse_categorical_crossentropy,
                ketl::metrics::accuracy);
  model.fit(x, y, {.batch_size = 32, .epochs = 30, .verbose = 0});
  const auto scores = model.evaluate(x, y, {.verbose = 0});
  std::printf("consumer: accuracy %.3f\n", scores[1]);
  // A consumer without ketl/io/keras_h5.hpp (and libhdf5) is told which
  // header a .h5 path needs, and nothing is written.
  bool told = false;
  try {
    model.save_weights("consumer_weights.h5");
  } catch (const ketl::io_error& e) {
    told = std::string(e.what()).find("#include <ketl/io/keras_h5.hpp>") != std::string::npos;
  }
  if (!told) std::printf("consumer: a .h5 path without its header was not refused as it should\n");
  return scores[1] > 0.9 && told ? 0 : 1;
}
