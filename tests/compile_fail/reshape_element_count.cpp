// Reshape<3, 5> cannot take 16 elements. The error names the layer's index
// (1), the layer, the input shape, and both element counts.
#include <ketl/ketl.hpp>

int main() {
#ifdef KETL_SHOULD_FAIL
  auto model = ketl::Sequential{ketl::Input<16>{}, ketl::Reshape<3, 5>{}};
#else
  auto model = ketl::Sequential{ketl::Input<15>{}, ketl::Reshape<3, 5>{}};
#endif
  (void)model;
}
// EXPECT-ERROR: ketl::Reshape: the target shape must hold as many elements as the input shape
// EXPECT-ERROR: ketl::Sequential: the layer at LayerIndex cannot take InputShape
// EXPECT-ERROR: sequential_link_check<1, ketl::Reshape<3, 5>, ketl::Shape<16>\s?>
// EXPECT-ERROR: (16 == 15|Shape<16>::size == Shape<3, 5>::size)
