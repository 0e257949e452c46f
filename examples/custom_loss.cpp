// The snippets of docs/how-to/custom-losses-and-metrics.md, compiled and run:
// a custom loss (pinball), a custom metric (mean_pred), a sparse custom loss
// (a focal-style loss on integer labels) and a batch-wise metric, on the
// digits data.
#include <iostream>

#include <ketl/ketl.hpp>

#ifndef KETL_DATA_DIR
#define KETL_DATA_DIR "data"
#endif

using namespace ketl::expr;

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : KETL_DATA_DIR "/digits.csv";
  try {
    const auto data = ketl::datasets::digits::load_csv(path);
    const xt::xtensor<float, 2> x = data.x / 16.0f;
    const xt::xtensor<float, 1> labels = xt::cast<float>(data.y);
    const auto y = ketl::utils::to_categorical(data.y, 10);

    // def mean_pred(y_true, y_pred): return K.mean(y_pred)
    auto mean_pred =
        ketl::custom_metric("mean_pred", [](auto, auto y_pred) { return mean(y_pred); });
    // An asymmetric (pinball) loss for the 0.8 quantile.
    auto pinball = ketl::custom_loss("pinball", [](auto y_true, auto y_pred) {
      const auto d = y_true - y_pred;
      return mean(where(d >= 0.0, 0.8 * d, -0.2 * d));
    });
    auto positive_rate = ketl::custom_metric(
        "positive_rate", [](auto, auto y_pred) { return batch_mean(y_pred > 0.5); });

    ketl::utils::set_random_seed(1);
    auto model = ketl::Sequential{ketl::Input<64>{}, ketl::Dense<32, ketl::Relu>{},
                                  ketl::Dense<10, ketl::Softmax>{}};
    model.compile(ketl::optimizers::SGD{.lr = 0.5f}, pinball, mean_pred, positive_rate,
                  ketl::metrics::accuracy);
    model.fit(x, y, {.batch_size = 32, .epochs = 3, .verbose = 2});

    // A focal-style loss on integer labels.
    auto focal = ketl::custom_loss<ketl::Target::sparse_labels>("focal", [](auto, auto y_pred) {
      const auto p = sum(one_hot_labels * clip(y_pred, epsilon(), 1.0 - epsilon()));
      return -square(1.0 - p) * log(p);
    });
    model.compile(ketl::optimizers::SGD{.lr = 0.5f}, focal, ketl::metrics::accuracy);
    model.fit(x, labels, {.batch_size = 32, .epochs = 3, .verbose = 2});
    const auto scores = model.evaluate(x, labels, {.verbose = 0});
    std::cout << "focal loss " << scores[0] << ", accuracy " << scores[1] << '\n';
    return 0;
  } catch (const ketl::error& e) {
    std::cerr << e.what() << '\n';
    return 1;
  }
}
