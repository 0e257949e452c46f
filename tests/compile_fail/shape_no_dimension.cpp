// Shape<> would be a scalar per sample; ketl needs at least one feature axis.
#include <ketl/shape.hpp>

int main() {
#ifdef KETL_SHOULD_FAIL
  constexpr auto r = ketl::Shape<>::rank;
#else
  constexpr auto r = ketl::Shape<1>::rank;
#endif
  static_assert(r >= 0);
}
// EXPECT-ERROR: ketl::Shape needs at least one feature dimension
