// The recurrent layers' vocabulary: the options that change an RNN's output
// shape or its weights' shapes, given as a class-type template argument so
// that both are known at compile time:
//
//   ketl::LSTM<64>                                            (N, T, F) -> (N, 64)
//   ketl::LSTM<64, ketl::rnn{.return_sequences = true}>       (N, T, F) -> (N, T, 64)
//   ketl::GRU<32, ketl::rnn{.go_backwards = true, .reset_after = true}>
//   ketl::LSTM<32, ketl::rnn{.stateful = true}>     after Input<T, F>::batch<N>
//   auto [out, h, c] = ketl::LSTM<32, ketl::rnn{.return_state = true}>{}(x);
//   ketl::LSTM<32>{}(x, h, c)                       initial_state=[h, c]
//
// Fields keep Keras 2.2.4's names and defaults. The activations follow as
// types, as Dense's: ketl::LSTM<64, ketl::rnn{}, ketl::Tanh, ketl::Sigmoid>
// is tf.keras's default LSTM (recurrent_activation='sigmoid').
#pragma once

namespace ketl {

struct rnn {
  // The whole output sequence (N, T, units) rather than its last step.
  bool return_sequences = false;
  // Read the input from its last step to its first; the returned sequence
  // is in the order the steps ran, as Keras's.
  bool go_backwards = false;
  bool use_bias = true;
  // GRU only: the reset gate applied after the recurrent product, with a
  // separate recurrent bias (Keras's reset_after=True, CuDNN's variant and
  // tf.keras's default); the bias is then (2, 3 * units).
  bool reset_after = false;
  // The state after each batch's last step is the next batch's initial
  // state, sample i to sample i, until reset_states(). The model's batch
  // size must be fixed (Input<...>::batch<N>, Keras's batch_input_shape).
  bool stateful = false;
  // The last state besides the output, Keras's return_state: called in the
  // functional API, the layer gives its output then h (and LSTM's c) as
  // separate nodes. A Sequential refuses it, as Keras's does.
  bool return_state = false;
};

}  // namespace ketl
