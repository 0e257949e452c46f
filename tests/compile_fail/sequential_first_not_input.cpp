// A model must start with Input<d...>, which sets the input shape.
#include <ketl/ketl.hpp>

int main() {
#ifdef KETL_SHOULD_FAIL
  auto model = ketl::Sequential{ketl::Dense<8>{}, ketl::Dense<2>{}};
#else
  auto model = ketl::Sequential{ketl::Input<4>{}, ketl::Dense<8>{}, ketl::Dense<2>{}};
#endif
  (void)model;
}
// EXPECT-ERROR: the first layer must be ketl::Input<d...>
