// y's rank is static: for a (None, 10) output it is 2 (one-hot rows) or 1
// (integer labels), never 3.
#include <ketl/ketl.hpp>

int main() {
  auto model = ketl::Sequential{ketl::Input<4>{}, ketl::Dense<10, ketl::Softmax>{}};
  model.compile(ketl::optimizers::SGD{}, ketl::losses::categorical_crossentropy);
  xt::xtensor<float, 2> x = xt::zeros<float>({4, 4});
#ifdef KETL_SHOULD_FAIL
  xt::xtensor<float, 3> y = xt::zeros<float>({4, 10, 1});
#else
  xt::xtensor<float, 2> y = xt::zeros<float>({4, 10});
#endif
  model.fit(x, y);
}
// EXPECT-ERROR: y must have one axis for the samples plus the axes of the model's output shape
