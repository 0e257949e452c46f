// Every argument after the loss must be a metric.
#include <ketl/ketl.hpp>

int main() {
  auto model = ketl::Sequential{ketl::Input<4>{}, ketl::Dense<2, ketl::Softmax>{}};
#ifdef KETL_SHOULD_FAIL
  model.compile(ketl::optimizers::SGD{}, ketl::losses::categorical_crossentropy, 42);
#else
  model.compile(ketl::optimizers::SGD{}, ketl::losses::categorical_crossentropy,
                ketl::metrics::categorical_accuracy);
#endif
}
// EXPECT-ERROR: ketl::compile: a metric must be a ketl metric
