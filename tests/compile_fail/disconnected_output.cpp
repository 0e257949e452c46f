// An output computed from an Input that is not among the model's inputs.
#include <ketl/ketl.hpp>

int main() {
  auto a = ketl::Input<4>{};
  auto other = ketl::Input<6>{};
#ifdef KETL_SHOULD_FAIL
  auto out = ketl::Dense<2>{}(other);
#else
  auto out = ketl::Dense<2>{}(a);
  (void)other;
#endif
  auto model = ketl::Model{a, out};
  (void)model;
}
// EXPECT-ERROR: output_depends_on_undeclared_input<ketl::Input<6>\s?>
// EXPECT-ERROR: an output depends on an Input \(UndeclaredInput\) that is not among the model's
// inputs
