// A loss named at compile time must exist: a typo does not build, and the
// error lists the valid names.
#include <ketl/ketl.hpp>

int main() {
  auto model = ketl::Sequential{ketl::Input<4>{}, ketl::Dense<3, ketl::Softmax>{}};
#ifdef KETL_SHOULD_FAIL
  model.compile(ketl::optimizers::SGD{}, ketl::losses::named<"categorical_crossentrophy">);
#else
  model.compile(ketl::optimizers::SGD{}, ketl::losses::named<"categorical_crossentropy">);
#endif
}
// EXPECT-ERROR: unknown name. Valid losses: mean_squared_error \(mse\)
