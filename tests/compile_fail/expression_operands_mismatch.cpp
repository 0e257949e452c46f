// Two per-class terms of different lengths cannot meet in one expression:
// the error comes where the expression is written, before any model.
#include <ketl/ketl.hpp>

int main() {
  using namespace ketl::expr;
#ifdef KETL_SHOULD_FAIL
  auto e = sum(per_class({1.0, 2.0, 3.0}) * per_class({1.0, 2.0, 3.0, 4.0}) * y_pred);
#else
  auto e = sum(per_class({1.0, 2.0, 3.0}) * per_class({1.0, 2.0, 3.0}) * y_pred);
#endif
  (void)e;
}
// EXPECT-ERROR: an elementwise operation between Left and Right: the last axes differ
// EXPECT-ERROR: last_axes_check<ketl::Shape<3>, ketl::Shape<4> ?>
