// The compile-time cost of naming the loss and metrics by string: the same
// program with -DKETL_BY_NAME (strings, every loss and metric compiled)
// and without (typed). docs/benchmarks.md#compile-time-of-names has the
// commands and figures.
#include <ketl/ketl.hpp>

int main() {
  xt::xtensor<float, 2> x = xt::zeros<float>({64, 784});
  xt::xtensor<std::uint8_t, 1> y = xt::zeros<std::uint8_t>({64});
  auto model = ketl::Sequential{ketl::Input<784>{}, ketl::Dense<256, ketl::Relu>{},
                                ketl::Dense<128, ketl::Relu>{}, ketl::Dense<10, ketl::Softmax>{}};
#ifdef KETL_BY_NAME
  model.compile("sgd", "sparse_categorical_crossentropy", "acc");
#else
  model.compile(ketl::optimizers::SGD{}, ketl::losses::sparse_categorical_crossentropy,
                ketl::metrics::sparse_categorical_accuracy);
#endif
  const auto h = model.fit(x, y, {.batch_size = 32, .epochs = 1, .verbose = 0});
  return model.evaluate(x, y)[0] >= 0 && !h.epoch.empty() ? 0 : 1;
}
