// sum, mean, max, min and argmax reduce the last axis; a per-sample value has
// no last axis left to reduce.
#include <ketl/ketl.hpp>

int main() {
  using namespace ketl::expr;
#ifdef KETL_SHOULD_FAIL
  auto e = sum(mean(y_pred));
#else
  auto e = sum(y_pred - mean(y_pred));
#endif
  (void)e;
}
// EXPECT-ERROR: reduce the last axis, so they take an elementwise expression
