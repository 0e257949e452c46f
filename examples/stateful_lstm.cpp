// The Keras guide's stacked LSTM "rendered stateful": the i-th sample of
// batch k is the follow-up of the i-th sample of batch k-1, so each layer's
// state after a batch is where the next batch starts.
//
//   model = Sequential()
//   model.add(LSTM(32, return_sequences=True, stateful=True,
//                  batch_input_shape=(batch_size, timesteps, data_dim)))
//   model.add(LSTM(32, return_sequences=True, stateful=True))
//   model.add(LSTM(32, stateful=True))
//   model.add(Dense(10, activation='softmax'))
//   model.compile(loss='categorical_crossentropy', optimizer='rmsprop', metrics=['accuracy'])
//   model.fit(x_train, y_train, batch_size=batch_size, epochs=5, shuffle=False, ...)
//
// The guide trains on random numbers. Here each of a batch's 32 rows
// continues one stream whose class is fixed and whose every step is that
// class's mean buried in noise: one chunk of 8 steps says little, and the
// carried state can gather the evidence of all the chunks so far. Streams
// come in groups of `chunks` batches; a callback resets the states where a
// group starts. The program prints the held-out accuracy at each chunk with
// the states carried, and with reset_states() before every chunk.
//
// The batch size (32) is part of the model's type: fit, evaluate and
// predict refuse any other.
//
// Usage: stateful_lstm [epochs] [stream groups]
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <vector>

#include <ketl/ketl.hpp>

constexpr std::size_t batch_size = 32, timesteps = 8, data_dim = 16, num_classes = 10;
constexpr std::size_t chunks = 10;  // batches per stream
constexpr double noise = 3.0;       // per-step noise, against class means of about 0.6

struct streams {
  xt::xtensor<float, 3> x;  // rows (group, chunk, stream)
  xt::xtensor<float, 2> y;  // one-hot class of each row's stream
};

// groups * chunks batches: batch (g * chunks + k) holds chunk k of the 32
// streams of group g.
static streams make_streams(std::size_t groups, const xt::xtensor<float, 2>& means,
                            ketl::Random& rng) {
  const std::size_t rows = groups * chunks * batch_size;
  streams s{xt::xtensor<float, 3>({rows, timesteps, data_dim}),
            xt::zeros<float>({rows, num_classes})};
  for (std::size_t g = 0; g < groups; ++g)
    for (std::size_t i = 0; i < batch_size; ++i) {
      const std::size_t c = rng.below(num_classes);
      for (std::size_t k = 0; k < chunks; ++k) {
        const std::size_t r = (g * chunks + k) * batch_size + i;
        s.y(r, c) = 1;
        for (std::size_t t = 0; t < timesteps; ++t)
          for (std::size_t f = 0; f < data_dim; ++f)
            s.x(r, t, f) = float(means(c, f) + noise * rng.normal());
      }
    }
  return s;
}

int main(int argc, char** argv) {
  const int epochs = argc > 1 ? std::atoi(argv[1]) : 5;
  const std::size_t groups = argc > 2 ? std::size_t(std::atol(argv[2])) : 20;
  try {
    using ketl::rnn;
    ketl::utils::set_random_seed(1);
    auto model = ketl::Sequential{ketl::Input<timesteps, data_dim>::batch<batch_size>{},
                                  ketl::LSTM<32, rnn{.return_sequences = true, .stateful = true}>{},
                                  ketl::LSTM<32, rnn{.return_sequences = true, .stateful = true}>{},
                                  ketl::LSTM<32, rnn{.stateful = true}>{},
                                  ketl::Dense<num_classes, ketl::Softmax>{}};
    model.compile(ketl::optimizers::RMSprop{}, ketl::losses::categorical_crossentropy,
                  ketl::metrics::accuracy);
    model.summary();

    ketl::Random rng(2);
    xt::xtensor<float, 2> means({num_classes, data_dim});
    for (auto& m : means) m = float(rng.uniform(-1, 1));
    const auto train = make_streams(groups, means, rng);
    const auto test = make_streams(1, means, rng);

    // A new group of streams starts from zero states.
    ketl::callbacks::LambdaCallback new_streams{.on_batch_begin_fn = [&](int batch, ketl::Logs&) {
      if (batch % int(chunks) == 0) model.reset_states();
    }};
    // batch_size is the model's (32); shuffling would break the streams.
    model.fit(train.x, train.y,
              {.epochs = epochs, .verbose = 2, .callbacks = {new_streams}, .shuffle = false});

    // Held-out streams, chunk by chunk.
    auto accuracy_per_chunk = [&](bool carry) {
      model.reset_states();
      std::vector<double> acc;
      for (std::size_t k = 0; k < chunks; ++k) {
        if (!carry) model.reset_states();
        const std::size_t r0 = k * batch_size;
        const xt::xtensor<float, 3> xk = xt::view(test.x, xt::range(r0, r0 + batch_size));
        const xt::xtensor<float, 2> p = model.predict(xk);
        std::size_t right = 0;
        for (std::size_t i = 0; i < batch_size; ++i) {
          std::size_t best = 0;
          for (std::size_t c = 1; c < num_classes; ++c)
            if (p(i, c) > p(i, best)) best = c;
          right += test.y(r0 + i, best) == 1.0f;
        }
        acc.push_back(double(right) / double(batch_size));
      }
      return acc;
    };
    const auto carried = accuracy_per_chunk(true);
    const auto reset = accuracy_per_chunk(false);
    std::cout << "held-out accuracy per chunk of " << timesteps << " steps:\n"
              << "chunk  states carried  reset_states() before each chunk\n";
    for (std::size_t k = 0; k < chunks; ++k)
      std::cout << std::setw(5) << k + 1 << std::setw(16) << std::fixed << std::setprecision(3)
                << carried[k] << std::setw(34) << reset[k] << "\n";
    double late_carried = 0, late_reset = 0;
    for (std::size_t k = chunks / 2; k < chunks; ++k) {
      late_carried += carried[k] / double(chunks - chunks / 2);
      late_reset += reset[k] / double(chunks - chunks / 2);
    }
    std::cout << "chunks " << chunks / 2 + 1 << "-" << chunks << ": accuracy "
              << std::setprecision(3) << late_carried << " with the states carried, " << late_reset
              << " without\n";
    // The batch size is the model's: 16 rows are refused, and nothing changes.
    try {
      model.predict(
          xt::xtensor<float, 3>(xt::view(test.x, xt::range(std::size_t{0}, std::size_t{16}))));
    } catch (const ketl::error& e) {
      std::cout << "16 rows: " << e.what() << "\n";
    }
  } catch (const ketl::error& e) {
    std::cerr << "ketl error: " << e.what() << "\n";
    return 1;
  }
}
