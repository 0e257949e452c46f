// A weighted metric is checked as a plain one: sparse_categorical_accuracy
// reads integer labels, categorical_crossentropy one-hot rows.
#include <ketl/ketl.hpp>

int main() {
  auto model = ketl::Sequential{ketl::Input<4>{}, ketl::Dense<10, ketl::Softmax>{}};
#ifdef KETL_SHOULD_FAIL
  model.compile("sgd", ketl::losses::categorical_crossentropy,
                ketl::weighted_metrics(ketl::metrics::sparse_categorical_accuracy));
#else
  model.compile("sgd", ketl::losses::categorical_crossentropy,
                ketl::weighted_metrics(ketl::metrics::categorical_accuracy));
#endif
}
// EXPECT-ERROR: every metric must read y_true as the loss does
