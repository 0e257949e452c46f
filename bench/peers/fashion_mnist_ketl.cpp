// The demo MLP (784-256-128-10) on Fashion-MNIST with Adam (lr 0.001),
// batch 32, 10 epochs, shuffled: each epoch's time and the test accuracy,
// for comparison with fashion_mnist_torch.py. Usage: fashion_mnist_ketl [epochs]
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include <ketl/ketl.hpp>

int main(int argc, char** argv) {
  const int epochs = argc > 1 ? std::atoi(argv[1]) : 10;
  auto [train, test] = ketl::datasets::fashion_mnist::load_data();
  auto flat = [](const xt::xtensor<std::uint8_t, 3>& images) {
    return xt::xtensor<float, 2>(
        xt::reshape_view(xt::cast<float>(images), {images.shape()[0], std::size_t{784}}) / 255.0f);
  };
  const auto x_train = flat(train.x), x_test = flat(test.x);
  const auto y_train = ketl::utils::to_categorical(train.y, 10);
  const auto y_test = ketl::utils::to_categorical(test.y, 10);
  ketl::utils::set_random_seed(1);
  auto model = ketl::Sequential{ketl::Input<784>{}, ketl::Dense<256, ketl::Relu>{},
                                ketl::Dense<128, ketl::Relu>{}, ketl::Dense<10, ketl::Softmax>{}};
  model.compile(ketl::optimizers::Adam{.lr = 0.001f}, ketl::losses::categorical_crossentropy,
                ketl::metrics::accuracy);
  std::vector<double> seconds;
  for (int e = 0; e < epochs; ++e) {
    const auto start = std::chrono::steady_clock::now();
    model.fit(x_train, y_train, {.batch_size = 32, .epochs = 1, .verbose = 0});
    seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(seconds.begin(), seconds.end());
  const auto scores = model.evaluate(x_test, y_test, {.verbose = 0});
  std::printf("ketl epoch_median_s %.3f test_acc %.4f\n", seconds[seconds.size() / 2], scores[1]);
}
