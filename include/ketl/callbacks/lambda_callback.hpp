// LambdaCallback: hooks from plain functions, as Keras's. Missing ones do
// nothing.
#pragma once

#include <functional>

#include "ketl/callback.hpp"

namespace ketl::callbacks {

struct LambdaCallback {
  std::function<void(int, Logs&)> on_epoch_begin_fn = {};
  std::function<void(int, Logs&)> on_epoch_end_fn = {};
  std::function<void(int, Logs&)> on_batch_begin_fn = {};
  std::function<void(int, Logs&)> on_batch_end_fn = {};
  std::function<void(Logs&)> on_train_begin_fn = {};
  std::function<void(Logs&)> on_train_end_fn = {};

  void on_epoch_begin(int e, Logs& l) {
    if (on_epoch_begin_fn) on_epoch_begin_fn(e, l);
  }
  void on_epoch_end(int e, Logs& l) {
    if (on_epoch_end_fn) on_epoch_end_fn(e, l);
  }
  void on_batch_begin(int b, Logs& l) {
    if (on_batch_begin_fn) on_batch_begin_fn(b, l);
  }
  void on_batch_end(int b, Logs& l) {
    if (on_batch_end_fn) on_batch_end_fn(b, l);
  }
  void on_train_begin(Logs& l) {
    if (on_train_begin_fn) on_train_begin_fn(l);
  }
  void on_train_end(Logs& l) {
    if (on_train_end_fn) on_train_end_fn(l);
  }
};

}  // namespace ketl::callbacks
