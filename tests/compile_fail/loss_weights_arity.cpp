// loss_weights with one weight for a model with two outputs.
#include <ketl/ketl.hpp>

int main() {
  auto x = ketl::Input<4>{};
  auto model =
      ketl::Model{ketl::inputs(x), ketl::outputs(ketl::Dense<2>{}(x), ketl::Dense<1>{}(x))};
#ifdef KETL_SHOULD_FAIL
  model.compile("sgd", ketl::losses::mse, ketl::loss_weights(1.0));
#else
  model.compile("sgd", ketl::losses::mse, ketl::loss_weights(1.0, 0.5));
#endif
}
// EXPECT-ERROR: ketl::loss_weights: give one weight per output of the model
