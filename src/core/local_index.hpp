#pragma once
// One worker's view of its own connections: channel -> local subscribers and user -> local
// signed-in connections, per app. Touched only on the owning worker's thread, so no locks.

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sockudo::core {

class Session;
class AppRuntime;

class LocalIndex {
public:
    using Sessions = std::vector<Session*>;

    void add_subscriber(const AppRuntime* app, const std::string& channel, Session* session);
    void remove_subscriber(const AppRuntime* app, const std::string& channel, Session* session);
    const Sessions* subscribers(const AppRuntime* app, const std::string& channel) const;

    void add_user(const AppRuntime* app, const std::string& user_id, Session* session);
    void remove_user(const AppRuntime* app, const std::string& user_id, Session* session);
    const Sessions* user_sessions(const AppRuntime* app, const std::string& user_id) const;

private:
    using Map = std::unordered_map<std::string, Sessions>;
    struct AppIndex {
        Map channels;
        Map users;
    };
    static void add(Map& map, const std::string& key, Session* session);
    static void remove(Map& map, const std::string& key, Session* session);

    std::unordered_map<const AppRuntime*, AppIndex> apps_;
};

}  // namespace sockudo::core
