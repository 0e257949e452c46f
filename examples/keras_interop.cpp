// Moving a model between ketl and Keras through Keras's own .h5 files.
//
// 1. Train a small MLP on the digits, save its weights as Keras's
//    save_weights would (digits_weights.h5) and read them into a second
//    model: the same predictions.
// 2. Save the whole model as Keras's model.save would (digits_model.h5):
//    `keras.models.load_model("digits_model.h5")` in Python rebuilds it.
// 3. Load it back with ketl::load_model<Net>, which first checks that the
//    file's architecture is Net's, then compiles it as the file says (Adam,
//    its moments and step count) and train on: the weights are those of a
//    run that never stopped, bit for bit.
//
// Usage: keras_interop [path to digits.csv]
#include <iostream>

#include <ketl/io/keras_h5.hpp>     // save_weights/load_weights to .h5 (libhdf5)
#include <ketl/io/keras_model.hpp>  // save_model/load_model (and nlohmann-json)
#include <ketl/ketl.hpp>

#ifndef KETL_DATA_DIR
#define KETL_DATA_DIR "data"
#endif

using Net =
    ketl::Sequential<ketl::Input<64>, ketl::Dense<64, ketl::Relu>, ketl::Dense<10, ketl::Softmax>>;

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : KETL_DATA_DIR "/digits.csv";
  try {
    const auto data = ketl::datasets::digits::load_csv(path);
    const xt::xtensor<float, 2> x = data.x / 16.0f;
    const auto y = ketl::utils::to_categorical(data.y, 10);

    Net model{{}, {}, {}};
    model.compile("adam", "categorical_crossentropy", "acc");
    Net twin = model;  // the same initial weights, to train without stopping
    twin.compile("adam", "categorical_crossentropy", "acc");
    model.fit(x, y, {.batch_size = 32, .epochs = 5, .verbose = 0, .shuffle = false});
    const auto before = model.evaluate(x, y, {.verbose = 0});
    std::cout << "trained: accuracy " << before[1] << "\n";

    // 1. Weights only, in Keras's layout.
    model.save_weights("digits_weights.h5");
    Net copy{{}, {}, {}};
    copy.load_weights("digits_weights.h5");
    const auto p = model.predict(x), q = copy.predict(x);
    std::cout << "save_weights/load_weights: predictions " << (p == q ? "identical" : "DIFFERENT")
              << "\n";

    // 2. The whole model, for keras.models.load_model.
    ketl::save_model(model, "digits_model.h5");

    // 3. Back into the typed model, compiled as saved, and on with training.
    auto loaded = ketl::load_model<Net>("digits_model.h5");
    const auto reloaded = loaded.evaluate(x, y, {.verbose = 0});
    std::cout << "load_model: " << loaded.optimizer_name() << " after " << loaded.iterations()
              << " steps, accuracy " << reloaded[1] << " (as saved)\n";
    loaded.fit(x, y,
               {.batch_size = 32, .epochs = 8, .verbose = 0, .shuffle = false, .initial_epoch = 5});
    const auto after = loaded.evaluate(x, y, {.verbose = 0});
    twin.fit(x, y, {.batch_size = 32, .epochs = 8, .verbose = 0, .shuffle = false});
    const bool same = loaded.predict(x) == twin.predict(x);
    std::cout << "resumed for 3 more epochs: accuracy " << after[1] << "; "
              << (same ? "identical to" : "DIFFERENT from") << " 8 epochs without stopping\n";

    // A file whose architecture is not Net's is refused, saying where.
    try {
      ketl::load_model<ketl::Sequential<ketl::Input<64>, ketl::Dense<32, ketl::Relu>,
                                        ketl::Dense<10, ketl::Softmax>>>("digits_model.h5");
    } catch (const ketl::error& e) {
      std::cout << "another architecture: " << e.what() << "\n";
    }
    return p == q && reloaded[1] == before[1] && same && after[1] >= 0.9 ? 0 : 1;
  } catch (const ketl::error& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
}
