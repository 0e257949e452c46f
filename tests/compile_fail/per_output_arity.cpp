// per_output with three losses for a model with two outputs.
#include <ketl/ketl.hpp>

int main() {
  auto x = ketl::Input<4>{};
  auto model =
      ketl::Model{ketl::inputs(x), ketl::outputs(ketl::Dense<2>{}(x), ketl::Dense<1>{}(x))};
#ifdef KETL_SHOULD_FAIL
  model.compile("sgd", ketl::per_output(ketl::losses::mse, ketl::losses::mae, ketl::losses::mse));
#else
  model.compile("sgd", ketl::per_output(ketl::losses::mse, ketl::losses::mae));
#endif
}
// EXPECT-ERROR: ketl::per_output: give one loss per output of the model
