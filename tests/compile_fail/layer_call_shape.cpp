// A layer called on a node it cannot take: Reshape<3, 5> of Shape<16>.
#include <ketl/ketl.hpp>

int main() {
#ifdef KETL_SHOULD_FAIL
  auto x = ketl::Input<16>{};
#else
  auto x = ketl::Input<15>{};
#endif
  auto y = ketl::Reshape<3, 5>{}(x);
  (void)y;
}
// EXPECT-ERROR: layer_call_check<ketl::Reshape<3, 5>, ketl::Shape<16>\s?>
// EXPECT-ERROR: the target shape must hold as many elements as the input shape
