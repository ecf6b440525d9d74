#include "app/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace sockudo::app {

namespace {

// %j: the message escaped for a JSON string, so every log line stays valid JSON.
class JsonEscapedMessage final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&,
                spdlog::memory_buf_t& dest) override {
        for (char c : msg.payload) {
            switch (c) {
                case '"':
                    dest.append(std::string_view("\\\""));
                    break;
                case '\\':
                    dest.append(std::string_view("\\\\"));
                    break;
                case '\n':
                    dest.append(std::string_view("\\n"));
                    break;
                case '\r':
                    dest.append(std::string_view("\\r"));
                    break;
                case '\t':
                    dest.append(std::string_view("\\t"));
                    break;
                default:
                    if (static_cast<unsigned char>(c) < 0x20) {
                        char buf[8];
                        int n = std::snprintf(buf, sizeof(buf), "\\u%04x", c);
                        dest.append(buf, buf + n);
                    } else {
                        dest.push_back(c);
                    }
            }
        }
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<JsonEscapedMessage>();
    }
};

// %U: the level name in upper case, as the JSON log shape expects ("INFO").
class UpperLevel final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&,
                spdlog::memory_buf_t& dest) override {
        auto name = spdlog::level::to_string_view(msg.level);
        for (char c : name)
            dest.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<UpperLevel>();
    }
};

spdlog::level::level_enum parse_level(const std::string& level) {
    if (level == "trace") return spdlog::level::trace;
    if (level == "debug") return spdlog::level::debug;
    if (level == "warn" || level == "warning") return spdlog::level::warn;
    if (level == "error") return spdlog::level::err;
    if (level == "off") return spdlog::level::off;
    return spdlog::level::info;
}

}  // namespace

void init_logging(const config::LoggingOptions& options, bool debug) {
    std::shared_ptr<spdlog::sinks::sink> sink;
    if (options.colors_enabled && !options.json) {
        sink = std::make_shared<spdlog::sinks::stdout_color_sink_mt>();
    } else {
        sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
    }
    auto logger = std::make_shared<spdlog::logger>("sockudo", sink);
    auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    if (options.json) {
        formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
        formatter->add_flag<JsonEscapedMessage>('j');
        formatter->add_flag<UpperLevel>('U');
        formatter->set_pattern(
            R"({"timestamp":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%U","target":"sockudo","fields":{"message":"%j"}})");
    } else if (options.include_target) {
        formatter->set_pattern(debug ? "%Y-%m-%dT%H:%M:%S.%fZ %^%l%$ sockudo [%s:%#] %v"
                                     : "%Y-%m-%dT%H:%M:%S.%fZ %^%l%$ sockudo %v");
    } else {
        formatter->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %^%l%$ %v");
    }
    logger->set_formatter(std::move(formatter));
    logger->set_level(parse_level(options.level));
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
}

}  // namespace sockudo::app
