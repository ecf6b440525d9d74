#pragma once
#include "config/options.hpp"

namespace sockudo::app {

// Installs the process-wide logger: readable text, or JSON lines when configured.
void init_logging(const config::LoggingOptions& options, bool debug);

}  // namespace sockudo::app
