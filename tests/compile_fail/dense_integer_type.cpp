// Dense computes in floating point.
#include <ketl/ketl.hpp>

int main() {
#ifdef KETL_SHOULD_FAIL
  ketl::Dense<4, ketl::Relu, int> d;
#else
  ketl::Dense<4, ketl::Relu, double> d;
#endif
  (void)d;
}
// EXPECT-ERROR: ketl::Dense: the element type must be floating point
