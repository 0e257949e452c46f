// Input can only start a model.
#include <ketl/ketl.hpp>

int main() {
#ifdef KETL_SHOULD_FAIL
  auto model = ketl::Sequential{ketl::Input<4>{}, ketl::Dense<8>{}, ketl::Input<8>{}};
#else
  auto model = ketl::Sequential{ketl::Input<4>{}, ketl::Dense<8>{}};
#endif
  (void)model;
}
// EXPECT-ERROR: ketl::Input can only be the first layer
