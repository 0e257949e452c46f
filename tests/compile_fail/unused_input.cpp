// A declared input that reaches no output.
#include <ketl/ketl.hpp>

int main() {
  auto a = ketl::Input<4>{};
  auto b = ketl::Input<6>{};
#ifdef KETL_SHOULD_FAIL
  auto model = ketl::Model{ketl::inputs(a, b), ketl::outputs(ketl::Dense<2>{}(a))};
#else
  auto model =
      ketl::Model{ketl::inputs(a, b), ketl::outputs(ketl::Dense<2>{}(ketl::Concatenate{}(a, b)))};
#endif
  (void)model;
}
// EXPECT-ERROR: input_reaches_no_output<ketl::Input<6>\s?>
// EXPECT-ERROR: reaches no output
