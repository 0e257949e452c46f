// compile() takes a loss as its second argument; a metric tag is not one.
#include <ketl/ketl.hpp>

int main() {
  auto model = ketl::Sequential{ketl::Input<4>{}, ketl::Dense<2, ketl::Softmax>{}};
#ifdef KETL_SHOULD_FAIL
  model.compile(ketl::optimizers::SGD{}, ketl::metrics::accuracy);
#else
  model.compile(ketl::optimizers::SGD{}, ketl::losses::categorical_crossentropy,
                ketl::metrics::accuracy);
#endif
}
// EXPECT-ERROR: LossFunction
