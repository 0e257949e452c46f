// libFuzzer target: a Keras model file's model_config (JSON) against a
// model's, as load_model compares them (io/keras_architecture.hpp). Any
// outcome but an answer or a ketl::io_error is a finding: text that is not
// JSON, JSON of the wrong shapes, deep nesting, huge numbers.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <ketl/io/keras_architecture.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using ketl::io::keras::json;
  // Two models' configs as save_model writes them: a Sequential and a
  // functional one, so both comparisons are reached.
  static const json sequential = json::parse(
      R"({"class_name": "Sequential", "config": {"name": "sequential_1", "layers": [
          {"class_name": "Dense", "config": {"name": "dense_1", "trainable": true,
           "batch_input_shape": [null, 6], "dtype": "float32", "units": 5,
           "activation": "relu", "use_bias": true}},
          {"class_name": "Bidirectional", "config": {"name": "b", "layer": {"class_name": "LSTM",
           "config": {"units": 3, "return_sequences": false}}, "merge_mode": "concat"}},
          {"class_name": "BatchNormalization", "config": {"axis": 2, "epsilon": 0.001}}]}})");
  static const json functional = json::parse(
      R"({"class_name": "Model", "config": {"name": "model_1", "layers": [
          {"name": "x", "class_name": "InputLayer", "config": {"batch_input_shape": [null, 6]},
           "inbound_nodes": []},
          {"name": "d", "class_name": "Dense", "config": {"units": 2, "activation": "linear"},
           "inbound_nodes": [[["x", 0, 0, {}]]]}],
          "input_layers": [["x", 0, 0]], "output_layers": [["d", 0, 0]]}})");
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const json* mine : {&sequential, &functional}) {
    try {
      (void)ketl::io::keras::check_architecture(*mine, text, "fuzz.h5: ");
    } catch (const ketl::io_error&) {
    }
  }
  return 0;
}
