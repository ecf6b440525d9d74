#pragma once
// Applying a parsed config file (Sockudo key names, operations.md §1.3–§1.4) to Options.

#include <boost/json/object.hpp>

#include "config/key_reader.hpp"
#include "config/options.hpp"

namespace sockudo::config {

void apply_file(Section root, Options& options);
App read_app(Section app_section);

}  // namespace sockudo::config
