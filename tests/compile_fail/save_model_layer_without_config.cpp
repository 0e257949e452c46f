// save_model writes each layer's Keras config: a layer ketl has no config
// for yet stops the build, saying so, rather than writing a file Keras
// could not read.
#include <ketl/io/keras_model.hpp>
#include <ketl/ketl.hpp>

int main() {
#ifdef KETL_SHOULD_FAIL
  auto model = ketl::Sequential{ketl::Input<4>{}, ketl::RepeatVector<3>{}, ketl::Flatten{}};
#else
  auto model = ketl::Sequential{ketl::Input<4>{}, ketl::Dense<3>{}, ketl::Flatten{}};
#endif
  ketl::save_model(model, "m.h5");
}
// EXPECT-ERROR: ketl::save_model: this layer has no Keras config in ketl yet
// EXPECT-ERROR: has_keras_config<ketl::RepeatVector<3> ?>
