// A feature shape needs at least one dimension, and each must be positive.
#include <ketl/shape.hpp>

int main() {
#ifdef KETL_SHOULD_FAIL
  constexpr auto n = ketl::Shape<28, 0>::size;
#else
  constexpr auto n = ketl::Shape<28, 28>::size;
#endif
  static_assert(n >= 0);
}
// EXPECT-ERROR: ketl::Shape: every dimension must be positive
