// sparse_categorical_crossentropy reads one integer label per sample, so
// one-hot labels of the output's shape do not fit it.
#include <ketl/ketl.hpp>

int main() {
  auto model = ketl::Sequential{ketl::Input<4>{}, ketl::Dense<10, ketl::Softmax>{}};
#ifdef KETL_SHOULD_FAIL
  model.compile(ketl::optimizers::SGD{}, ketl::losses::sparse_categorical_crossentropy,
                ketl::labels<ketl::Shape<10>>);
#else
  model.compile(ketl::optimizers::SGD{}, ketl::losses::sparse_categorical_crossentropy,
                ketl::labels<ketl::Shape<1>>);
#endif
}
// EXPECT-ERROR: cannot take y_true of shape YTrue against y_pred of shape YPred
// EXPECT-ERROR: target_shape_check<ketl::losses::SparseCategoricalCrossentropy, ketl::Shape<10>,
// ketl::Shape<10> ?>
