// save_model writes each layer's Keras config: a layer ketl has no config
// for yet (here a Sequential used as a layer) stops the build, naming it,
// rather than writing a file Keras could not read.
#include <ketl/io/keras_model.hpp>
#include <ketl/ketl.hpp>

int main() {
  auto x = ketl::Input<4>{};
#ifdef KETL_SHOULD_FAIL
  auto encoder = ketl::Sequential{ketl::Input<4>{}, ketl::Dense<3>{}};
  auto model = ketl::Model{x, ketl::Dense<2>{}(encoder(x))};
#else
  auto model = ketl::Model{x, ketl::Dense<2>{}(ketl::Dense<3>{}(x))};
#endif
  ketl::save_model(model, "m.h5");
}
// EXPECT-ERROR: ketl::save_model: this layer has no Keras config in ketl yet
// EXPECT-ERROR: has_keras_config<ketl::models::nested<
