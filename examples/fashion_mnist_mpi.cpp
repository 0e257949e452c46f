// The main demo (fashion_mnist_mlp.cpp) trained on several processes:
// Horovod's recipe through ketl/distributed.hpp (docs/distributed.md).
//
//   mpirun -np 2 ./fashion_mnist_mpi [epochs] [samples] [data directory]
//
// Every rank loads the same arrays, and each global batch of 32 is cut in
// two: batch_size 16 per rank is the single-process demo's batch 32, on
// the same sample order, so both reach the same accuracy. Rank 0 alone
// prints the progress bar and the result.
#include <cstdlib>
#include <iostream>

#include <ketl/distributed.hpp>
#include <ketl/ketl.hpp>

int main(int argc, char** argv) {
  ketl::distributed::init(argc, argv);
  const int epochs = argc > 1 ? std::atoi(argv[1]) : 10;
  const long samples = argc > 2 ? std::atol(argv[2]) : 0;  // 0: all 60,000
  const std::string dir = argc > 3 ? argv[3] : ketl::datasets::fashion_mnist::default_directory;
  const bool rank0 = ketl::distributed::rank() == 0;
  try {
    auto [train, test] = ketl::datasets::fashion_mnist::load_data(dir);
    const std::size_t n =
        samples > 0 ? std::min<std::size_t>(std::size_t(samples), train.y.size()) : train.y.size();
    // (N, 28, 28) uint8 pixels to (N, 784) floats in [0, 1]; labels to one-hot.
    auto flat = [](const xt::xtensor<std::uint8_t, 3>& images, std::size_t rows) {
      xt::xtensor<float, 2> x = xt::reshape_view(
          xt::cast<float>(xt::view(images, xt::range(0, rows))), {rows, std::size_t{784}});
      return xt::xtensor<float, 2>(x / 255.0f);
    };
    const auto x_train = flat(train.x, n), x_test = flat(test.x, test.y.size());
    const xt::xtensor<std::uint8_t, 1> labels = xt::view(train.y, xt::range(0, n));
    const auto y_train = ketl::utils::to_categorical(labels, 10);
    const auto y_test = ketl::utils::to_categorical(test.y, 10);

    ketl::utils::set_random_seed(2024);  // the demo's seed: its initial weights
    auto model = ketl::Sequential{ketl::Input<784>{}, ketl::Dense<256, ketl::Relu>{},
                                  ketl::Dense<128, ketl::Relu>{}, ketl::Dense<10, ketl::Softmax>{}};
    if (rank0) model.summary();
    model.compile(ketl::optimizers::SGD{.lr = 0.05f}, ketl::losses::categorical_crossentropy,
                  ketl::metrics::accuracy, ketl::distributed::DataParallel());
    const std::size_t per_rank = 32 / std::size_t(ketl::distributed::size());
    model.fit(x_train, y_train, {.batch_size = per_rank, .epochs = epochs, .verbose = 1});

    // Each rank evaluates its part of the test set; all get the whole result.
    const auto scores = model.evaluate(x_test, y_test, {.verbose = 0});
    if (rank0)
      std::cout << "Ranks: " << ketl::distributed::size() << ", batch " << per_rank
                << " per rank\nTest loss: " << scores[0] << "\nTest accuracy: " << scores[1]
                << '\n';
    return 0;
  } catch (const ketl::error& e) {
    std::cerr << e.what() << '\n';
    return 1;
  }
}
