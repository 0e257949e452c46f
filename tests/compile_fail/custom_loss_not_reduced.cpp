// A loss gives one value per sample, so a custom loss must reduce the last
// axis; an elementwise expression is not a loss.
#include <ketl/ketl.hpp>

int main() {
  using namespace ketl::expr;
#ifdef KETL_SHOULD_FAIL
  auto loss = ketl::custom_loss("sq", [](auto yt, auto yp) { return square(yp - yt); });
#else
  auto loss = ketl::custom_loss("sq", [](auto yt, auto yp) { return mean(square(yp - yt)); });
#endif
  (void)loss;
}
// EXPECT-ERROR: a loss gives one value per sample: reduce the last axis
