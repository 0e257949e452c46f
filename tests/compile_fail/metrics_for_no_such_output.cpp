// metrics_for<K> for an output the model does not have.
#include <ketl/ketl.hpp>

int main() {
  auto x = ketl::Input<4>{};
  auto model =
      ketl::Model{ketl::inputs(x), ketl::outputs(ketl::Dense<2>{}(x), ketl::Dense<1>{}(x))};
#ifdef KETL_SHOULD_FAIL
  model.compile("sgd", ketl::losses::mse, ketl::metrics_for<2>(ketl::losses::mae));
#else
  model.compile("sgd", ketl::losses::mse, ketl::metrics_for<1>(ketl::losses::mae));
#endif
}
// EXPECT-ERROR: ketl::metrics_for<K>: K must be one of the model's outputs
