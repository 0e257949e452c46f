// The declared labels must fit every metric too, not only the loss.
#include <ketl/ketl.hpp>

int main() {
  auto model = ketl::Sequential{ketl::Input<4>{}, ketl::Dense<3, ketl::Softmax>{}};
#ifdef KETL_SHOULD_FAIL
  model.compile(ketl::optimizers::SGD{}, ketl::losses::mean_squared_error,
                ketl::metrics::sparse_categorical_accuracy, ketl::labels<ketl::Shape<3>>);
#else
  model.compile(ketl::optimizers::SGD{}, ketl::losses::mean_squared_error,
                ketl::metrics::categorical_accuracy, ketl::labels<ketl::Shape<3>>);
#endif
}
// EXPECT-ERROR: cannot take y_true of shape YTrue against y_pred of shape YPred
// EXPECT-ERROR: target_shape_check<ketl::metrics::SparseCategoricalAccuracy, ketl::Shape<3>,
// ketl::Shape<3> ?>
