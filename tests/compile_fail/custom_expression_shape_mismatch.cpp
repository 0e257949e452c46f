// A custom loss adds a Shape<3> per-class term to y_pred of Shape<4>.
#include <ketl/ketl.hpp>

int main() {
  auto model = ketl::Sequential{ketl::Input<2>{}, ketl::Dense<4, ketl::Linear>{}};
  auto offset_mse = ketl::custom_loss("offset_mse", [](auto y_true, auto y_pred) {
    using namespace ketl::expr;
#ifdef KETL_SHOULD_FAIL
    return mean(square(y_pred + per_class({0.5, 0.0, -0.5}) - y_true));
#else
    return mean(square(y_pred + per_class({0.5, 0.0, -0.5, 1.0}) - y_true));
#endif
  });
  model.compile(ketl::optimizers::SGD{}, offset_mse);
}
// EXPECT-ERROR: the expression of Fn has a term of shape Term, which cannot meet y_pred of shape
// YPred EXPECT-ERROR: expression_shape_check<ketl::CustomLoss<.*>, ketl::Shape<3>, ketl::Shape<4>
// ?>
