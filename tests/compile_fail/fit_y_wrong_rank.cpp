// Integer labels of shape (N,) do not fit a (None, 10) output under
// categorical_crossentropy: y must be one-hot, (N, 10).
#include <ketl/ketl.hpp>

int main() {
  auto model = ketl::Sequential{ketl::Input<4>{}, ketl::Dense<10, ketl::Softmax>{}};
  model.compile(ketl::optimizers::SGD{}, ketl::losses::categorical_crossentropy);
  xt::xtensor<float, 2> x = xt::zeros<float>({4, 4});
#ifdef KETL_SHOULD_FAIL
  xt::xtensor<float, 1> y = xt::zeros<float>({4});
#else
  xt::xtensor<float, 2> y = xt::zeros<float>({4, 10});
#endif
  model.fit(x, y);
}
// EXPECT-ERROR: y must have one axis for the samples plus the axes of the model's output shape
