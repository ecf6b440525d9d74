// sockudo: a Pusher Channels compatible realtime server. Wiring only: options -> server -> run.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>

#include "app/logging.hpp"
#include "app/server.hpp"
#include "config/load.hpp"

int main(int argc, char** argv) {
    CLI::App cli{"sockudo: a self-hosted, Pusher Channels compatible realtime server"};
    std::string config_path;
    bool check_config = false;
    bool print_config = false;
    bool version = false;
    cli.add_option("-c,--config", config_path, "Configuration file (.json or .toml)");
    cli.add_flag("--check-config", check_config, "Validate the configuration and exit");
    cli.add_flag("--print-config", print_config,
                 "Print the effective configuration (secrets redacted) and exit");
    cli.add_flag("-V,--version", version, "Print the version and exit");
    CLI11_PARSE(cli, argc, argv);

    if (version) {
        std::printf("sockudo %s\n", SOCKUDO_VERSION_STRING);
        return 0;
    }

    sockudo::config::LoadRequest request;
    if (!config_path.empty()) request.explicit_path = config_path;
    sockudo::config::Options options;
    try {
        options = sockudo::config::load_options(request);
    } catch (const sockudo::config::ConfigError& e) {
        std::fprintf(stderr, "configuration error: %s\n", e.what());
        return 2;
    }
    if (print_config) {
        std::printf("%s\n", sockudo::config::print_options(options).c_str());
        return 0;
    }
    if (check_config) {
        for (const auto& warning : options.warnings)
            std::fprintf(stderr, "warning: %s\n", warning.c_str());
        std::printf("configuration OK (%s)\n", options.source.c_str());
        return 0;
    }

    sockudo::app::init_logging(options.logging, options.debug);
    for (const auto& warning : options.warnings) spdlog::warn("config: {}", warning);
    std::signal(SIGPIPE, SIG_IGN);  // writes use MSG_NOSIGNAL; this covers everything else
    sockudo::app::Server server(std::move(options));
    return server.run();
}
