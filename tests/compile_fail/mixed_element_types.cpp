// All layers with weights must share one element type.
#include <ketl/ketl.hpp>

int main() {
#ifdef KETL_SHOULD_FAIL
  auto model = ketl::Sequential{ketl::Input<4>{}, ketl::Dense<8, ketl::Relu, float>{},
                                ketl::Dense<2, ketl::Linear, double>{}};
#else
  auto model = ketl::Sequential{ketl::Input<4>{}, ketl::Dense<8, ketl::Relu, double>{},
                                ketl::Dense<2, ketl::Linear, double>{}};
#endif
  (void)model;
}
// EXPECT-ERROR: all layers with weights must use one element type
