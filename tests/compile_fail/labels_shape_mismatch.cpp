// A ten-unit output against labels declared as Shape<5>: categorical_crossentropy
// needs targets of the output's shape.
#include <ketl/ketl.hpp>

int main() {
  auto model = ketl::Sequential{ketl::Input<4>{}, ketl::Dense<10, ketl::Softmax>{}};
#ifdef KETL_SHOULD_FAIL
  model.compile(ketl::optimizers::SGD{}, ketl::losses::categorical_crossentropy,
                ketl::metrics::accuracy, ketl::labels<ketl::Shape<5>>);
#else
  model.compile(ketl::optimizers::SGD{}, ketl::losses::categorical_crossentropy,
                ketl::metrics::accuracy, ketl::labels<ketl::Shape<10>>);
#endif
}
// EXPECT-ERROR: cannot take y_true of shape YTrue against y_pred of shape YPred
// EXPECT-ERROR: target_shape_check<ketl::losses::CategoricalCrossentropy, ketl::Shape<5>,
// ketl::Shape<10> ?>
