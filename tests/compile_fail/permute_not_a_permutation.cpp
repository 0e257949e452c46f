// Permute's dims name each input axis once, counted from 1 as Keras's.
#include <ketl/ketl.hpp>

int main() {
#ifdef KETL_SHOULD_FAIL
  using P = ketl::Permute<0, 1>;
#else
  using P = ketl::Permute<2, 1>;
#endif
  auto model = ketl::Sequential{ketl::Input<6, 3>{}, P{}, ketl::Flatten{}, ketl::Dense<1>{}};
  (void)model;
}
// EXPECT-ERROR: ketl::Permute: the dims must be 1, 2, ..., rank in some order
