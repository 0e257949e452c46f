// pop() on a model that holds only its Input has nothing to pop.
#include <ketl/ketl.hpp>

int main() {
#ifdef KETL_SHOULD_FAIL
  auto model = ketl::Sequential{ketl::Input<4>{}};
#else
  auto model = ketl::Sequential{ketl::Input<4>{}, ketl::Dense<2>{}};
#endif
  auto popped = model.pop();
  (void)popped;
}
// EXPECT-ERROR: there is no layer to pop, only the Input
