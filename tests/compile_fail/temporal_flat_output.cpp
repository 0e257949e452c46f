// ketl::temporal (sample_weight_mode="temporal") on a model whose output has
// no time axis: Keras refuses it at fit time; ketl at compile time.
#include <ketl/ketl.hpp>

int main() {
#ifdef KETL_SHOULD_FAIL
  auto model = ketl::Sequential{ketl::Input<4>{}, ketl::Dense<10, ketl::Softmax>{}};
#else
  auto model = ketl::Sequential{ketl::Input<3, 4>{}, ketl::Dense<10, ketl::Softmax>{}};
#endif
  model.compile("sgd", ketl::losses::categorical_crossentropy, ketl::temporal);
}
// EXPECT-ERROR: restricted to outputs that are at least 3D
