// A stateful layer carries each sample's state to the same row of the next
// batch: the model's batch size must be part of its type.
#include <ketl/ketl.hpp>

int main() {
  using Stateful = ketl::LSTM<16, ketl::rnn{.stateful = true}>;
#ifdef KETL_SHOULD_FAIL
  auto model = ketl::Sequential{ketl::Input<8, 4>{}, Stateful{}, ketl::Dense<1>{}};
#else
  auto model = ketl::Sequential{ketl::Input<8, 4>::batch<32>{}, Stateful{}, ketl::Dense<1>{}};
#endif
  (void)model;
}
// EXPECT-ERROR: a stateful layer needs the model's batch size fixed
// EXPECT-ERROR: stateful_layer_at_index_needs_a_fixed_batch_size<1, ketl::LSTM<16
