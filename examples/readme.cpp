// The README's first example, compiled by the test suite so that it stays true.
#include <ketl/ketl.hpp>

int main() {
  auto [train, test] = ketl::datasets::fashion_mnist::load_data();  // uint8 images and labels
  auto flat = [](const auto& images) {  // (N, 28, 28) uint8 -> (N, 784) floats in [0, 1]
    return xt::xtensor<float, 2>(xt::reshape_view(images, {images.shape()[0], std::size_t{784}}) /
                                 255.0f);
  };
  auto model = ketl::Sequential{ketl::Input<784>{}, ketl::Dense<256, ketl::Relu>{},
                                ketl::Dense<128, ketl::Relu>{}, ketl::Dense<10, ketl::Softmax>{}};
  model.summary();
  model.compile("sgd", "sparse_categorical_crossentropy", "acc");  // or typed: ketl::losses::...
  ketl::History h =
      model.fit(flat(train.x), train.y, {.batch_size = 32, .epochs = 10, .verbose = 1});
  auto scores = model.evaluate(flat(test.x), test.y);  // {loss, acc}
  std::cout << "test accuracy " << scores[1] << " after " << h.epoch.size() << " epochs\n";
}
