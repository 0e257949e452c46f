// A sparse loss reads y_true as integer labels; categorical_accuracy reads
// it as one-hot rows. They cannot share one y.
#include <ketl/ketl.hpp>

int main() {
  auto model = ketl::Sequential{ketl::Input<4>{}, ketl::Dense<10, ketl::Softmax>{}};
#ifdef KETL_SHOULD_FAIL
  model.compile(ketl::optimizers::SGD{}, ketl::losses::sparse_categorical_crossentropy,
                ketl::metrics::categorical_accuracy);
#else
  model.compile(ketl::optimizers::SGD{}, ketl::losses::sparse_categorical_crossentropy,
                ketl::metrics::sparse_categorical_accuracy);
#endif
}
// EXPECT-ERROR: every metric must read y_true as the loss does
