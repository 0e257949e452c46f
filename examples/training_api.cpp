// The Keras training API on the UCI digits (data/digits.csv), one part per
// section, as a Keras user would write it:
//   1. validation_split with EarlyStopping and ModelCheckpoint;
//   2. class weights;
//   3. a custom callback;
//   4. a train_on_batch loop;
// and the weights saved to .npz and loaded back.
//
// Usage: training_api [path to digits.csv] [directory for checkpoints]
#include <filesystem>
#include <iostream>

#include <ketl/ketl.hpp>

#ifndef KETL_DATA_DIR
#define KETL_DATA_DIR "data"
#endif

using namespace ketl;

// Prints the epoch's validation loss: any type with Keras's hooks is a callback.
struct ValLossPrinter {
  void on_epoch_end(int epoch, Logs& logs) {
    std::cout << "  [custom callback] epoch " << epoch + 1 << ": val_loss " << logs.at("val_loss")
              << '\n';
  }
};

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : KETL_DATA_DIR "/digits.csv";
  const std::filesystem::path dir =
      argc > 2 ? argv[2] : std::filesystem::temp_directory_path() / "ketl_training_api";
  try {
    std::filesystem::create_directories(dir);
    const auto data = datasets::digits::load_csv(path);
    const xt::xtensor<float, 2> x = data.x / 16.0f;
    const auto y = utils::to_categorical(data.y, 10);

    utils::set_random_seed(1);
    auto model = Sequential{Input<64>{}, Dense<64, Relu>{}, Dense<10, Softmax>{}};
    model.compile(optimizers::Adam{.lr = 0.005f}, losses::categorical_crossentropy,
                  metrics::accuracy);

    // 1. The last 20% validates; stop when val_loss stops improving, keep
    //    the best weights, and checkpoint the best epoch.
    callbacks::EarlyStopping early{.patience = 3, .verbose = 1, .restore_best_weights = true};
    callbacks::ModelCheckpoint best{
        .filepath = (dir / "best.{epoch:02d}-{val_loss:.2f}.npz").string(), .save_best_only = true};
    ValLossPrinter printer;  // 3. a custom callback
    const History h = model.fit(x, y,
                                {.batch_size = 32,
                                 .epochs = 40,
                                 .verbose = 2,
                                 .callbacks = {early, best, printer},
                                 .validation_split = 0.2});
    std::cout << "trained " << h.epoch.size() << " epochs; best val_loss " << early.best << '\n';

    // 2. Class weights: class 8 (often confused with 1 and 9) counts double.
    std::map<int, double> class_weight;
    for (int c = 0; c < 10; ++c) class_weight[c] = c == 8 ? 2.0 : 1.0;
    model.fit(x, y, {.batch_size = 32, .epochs = 2, .verbose = 0, .class_weight = class_weight});

    // 4. A train_on_batch loop over the first 512 rows, 64 at a time.
    for (int step = 0; step < 8; ++step) {
      const std::size_t from = std::size_t(step) * 64, to = from + 64;
      const xt::xtensor<float, 2> xb = xt::view(x, xt::range(from, to), xt::all());
      const xt::xtensor<float, 2> yb = xt::view(y, xt::range(from, to), xt::all());
      const auto v = model.train_on_batch(xb, yb);
      if (step % 4 == 0)
        std::cout << "train_on_batch " << step << ": loss " << v[0] << ", acc " << v[1] << '\n';
    }

    // Weights to .npz (numpy.load reads them) and back, bit for bit.
    const auto file = (dir / "digits_weights.npz").string();
    model.save_weights(file);
    auto copy = Sequential{Input<64>{}, Dense<64, Relu>{}, Dense<10, Softmax>{}};
    copy.load_weights(file);
    const bool same = copy.predict(x) == model.predict(x);
    model.compile("adam", losses::categorical_crossentropy, metrics::accuracy);
    const auto e = model.evaluate(x, y, {.verbose = 0});
    std::cout << "evaluate: loss " << e[0] << ", acc " << e[1] << "; reloaded copy predicts "
              << (same ? "identically" : "DIFFERENTLY") << '\n';
    std::filesystem::remove_all(dir);
    return same && e[1] > 0.9 ? 0 : 1;
  } catch (const ketl::error& err) {
    std::cerr << err.what() << '\n';
    return 1;
  }
}
