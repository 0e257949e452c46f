// Add of Shape<10> and Shape<12>: the merge fails to compile where it is
// called, naming the layer and both shapes.
#include <ketl/ketl.hpp>

int main() {
  auto a = ketl::Input<10>{};
#ifdef KETL_SHOULD_FAIL
  auto b = ketl::Input<12>{};
#else
  auto b = ketl::Input<10>{};
#endif
  auto sum = ketl::Add{}(a, b);
  (void)sum;
}
// EXPECT-ERROR: elementwise_merge_check<ketl::Add, 2, [0-9]+, ketl::Shape<10>, ketl::Shape<12>\s?>
// EXPECT-ERROR: needs inputs of one shape; the Shapes differ
