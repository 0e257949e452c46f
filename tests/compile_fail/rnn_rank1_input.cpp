// A recurrent layer reads (timesteps, features) samples: a flat vector has
// no time axis.
#include <ketl/ketl.hpp>

int main() {
#ifdef KETL_SHOULD_FAIL
  auto model = ketl::Sequential{ketl::Input<64>{}, ketl::LSTM<16>{}};
#else
  auto model = ketl::Sequential{ketl::Input<64>{}, ketl::Reshape<8, 8>{}, ketl::LSTM<16>{}};
#endif
  (void)model;
}
// EXPECT-ERROR: ketl::LSTM takes \(timesteps, features\) samples
// EXPECT-ERROR: layer_at_index_takes_input_shape<1, ketl::LSTM<16.*ketl::Shape<64>
