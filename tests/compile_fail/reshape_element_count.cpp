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
// EXPECT-ERROR: layer_at_index_takes_input_shape<1, ketl::Reshape<3, 5>, ketl::Shape<16>\s?>::value
// EXPECT-ERROR: sequential_pack_check
// EXPECT-ERROR: (16 == 15|Shape<16>::size == Shape<3, 5>::size)
