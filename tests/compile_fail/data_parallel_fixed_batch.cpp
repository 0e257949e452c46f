// Data-parallel training cuts each global batch into the ranks' parts, so a
// model whose batch size is part of its type (a stateful one) cannot take it.
#include <ketl/ketl.hpp>

int main() {
  auto model = ketl::Sequential{ketl::Input<8, 4>::batch<32>{},
                                ketl::LSTM<16, ketl::rnn{.stateful = true}>{}, ketl::Dense<1>{}};
#ifdef KETL_SHOULD_FAIL
  model.compile(ketl::optimizers::SGD{}, "mse", ketl::DataParallel{});
#else
  model.compile(ketl::optimizers::SGD{}, "mse");
#endif
}
// EXPECT-ERROR: a model with a fixed batch size .a stateful model. cannot train with DataParallel
