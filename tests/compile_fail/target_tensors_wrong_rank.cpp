// target_tensors of rank 3 for a model whose output is (N, 10): the rank is
// static, so the mismatch fails to compile.
#include <ketl/ketl.hpp>

int main() {
  auto model = ketl::Sequential{ketl::Input<4>{}, ketl::Dense<10, ketl::Softmax>{}};
#ifdef KETL_SHOULD_FAIL
  xt::xtensor<float, 3> y = xt::zeros<float>({8, 2, 10});
#else
  xt::xtensor<float, 2> y = xt::zeros<float>({8, 10});
#endif
  model.compile("sgd", ketl::losses::categorical_crossentropy, ketl::target_tensors(y));
}
// EXPECT-ERROR: y must have one axis for the samples plus the axes of the model's output
