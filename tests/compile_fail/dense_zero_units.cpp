// A Dense layer needs at least one unit.
#include <ketl/ketl.hpp>

int main() {
#ifdef KETL_SHOULD_FAIL
  ketl::Dense<0> d;
#else
  ketl::Dense<1> d;
#endif
  (void)d;
}
// EXPECT-ERROR: ketl::Dense: units must be positive
