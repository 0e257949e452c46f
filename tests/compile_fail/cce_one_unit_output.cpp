// categorical_crossentropy on a one-unit output: Keras rejects it and points
// to binary_crossentropy or sparse_categorical_crossentropy.
#include <ketl/ketl.hpp>

int main() {
#ifdef KETL_SHOULD_FAIL
  auto model = ketl::Sequential{ketl::Input<4>{}, ketl::Dense<1, ketl::Sigmoid>{}};
  model.compile(ketl::optimizers::SGD{}, ketl::losses::categorical_crossentropy);
#else
  auto model = ketl::Sequential{ketl::Input<4>{}, ketl::Dense<1, ketl::Sigmoid>{}};
  model.compile(ketl::optimizers::SGD{}, ketl::losses::binary_crossentropy);
#endif
}
// EXPECT-ERROR: this loss needs one output unit per class, but the model has a one-unit output
// EXPECT-ERROR: binary_crossentropy .*sparse_categorical_crossentropy
// EXPECT-ERROR: CategoricalCrossentropy
