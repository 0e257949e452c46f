// x's rank is static in xtensor, so a rank that cannot match Input<28, 28>
// is a compile error rather than a run-time one.
#include <ketl/ketl.hpp>

int main() {
  auto model =
      ketl::Sequential{ketl::Input<28, 28>{}, ketl::Flatten{}, ketl::Dense<10, ketl::Softmax>{}};
  model.compile(ketl::optimizers::SGD{}, ketl::losses::categorical_crossentropy);
#ifdef KETL_SHOULD_FAIL
  xt::xtensor<float, 2> x = xt::zeros<float>({4, 784});
#else
  xt::xtensor<float, 3> x = xt::zeros<float>({4, 28, 28});
#endif
  xt::xtensor<float, 2> y = xt::zeros<float>({4, 10});
  model.fit(x, y);
}
// EXPECT-ERROR: x must have one axis for the samples plus the axes of the model's Input shape
