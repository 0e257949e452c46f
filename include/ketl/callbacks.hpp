// Keras's built-in callbacks. History is what fit() returns; the progress
// bar is drawn by fit() (ProgbarLogger only redirects it).
#pragma once

#include "ketl/callback.hpp"
#include "ketl/callbacks/csv_logger.hpp"
#include "ketl/callbacks/early_stopping.hpp"
#include "ketl/callbacks/lambda_callback.hpp"
#include "ketl/callbacks/learning_rate_scheduler.hpp"
#include "ketl/callbacks/model_checkpoint.hpp"
#include "ketl/callbacks/progbar_logger.hpp"
#include "ketl/callbacks/reduce_lr_on_plateau.hpp"
#include "ketl/callbacks/terminate_on_nan.hpp"
