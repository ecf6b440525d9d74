#include "core/local_index.hpp"

#include <algorithm>

namespace sockudo::core {

void LocalIndex::add(Map& map, const std::string& key, Session* session) {
    map[key].push_back(session);
}

void LocalIndex::remove(Map& map, const std::string& key, Session* session) {
    auto it = map.find(key);
    if (it == map.end()) return;
    Sessions& list = it->second;
    auto pos = std::find(list.begin(), list.end(), session);
    if (pos == list.end()) return;
    *pos = list.back();
    list.pop_back();
    if (list.empty()) map.erase(it);  // empty channels go at once, as Redis pub/sub does
}

void LocalIndex::add_subscriber(const AppRuntime* app, const std::string& channel,
                                Session* session) {
    add(apps_[app].channels, channel, session);
}

void LocalIndex::remove_subscriber(const AppRuntime* app, const std::string& channel,
                                   Session* session) {
    auto it = apps_.find(app);
    if (it == apps_.end()) return;
    remove(it->second.channels, channel, session);
}

const LocalIndex::Sessions* LocalIndex::subscribers(const AppRuntime* app,
                                                    const std::string& channel) const {
    auto it = apps_.find(app);
    if (it == apps_.end()) return nullptr;
    auto cit = it->second.channels.find(channel);
    return cit == it->second.channels.end() ? nullptr : &cit->second;
}

void LocalIndex::add_user(const AppRuntime* app, const std::string& user_id, Session* session) {
    add(apps_[app].users, user_id, session);
}

void LocalIndex::remove_user(const AppRuntime* app, const std::string& user_id, Session* session) {
    auto it = apps_.find(app);
    if (it == apps_.end()) return;
    remove(it->second.users, user_id, session);
}

const LocalIndex::Sessions* LocalIndex::user_sessions(const AppRuntime* app,
                                                      const std::string& user_id) const {
    auto it = apps_.find(app);
    if (it == apps_.end()) return nullptr;
    auto uit = it->second.users.find(user_id);
    return uit == it->second.users.end() ? nullptr : &uit->second;
}

}  // namespace sockudo::core
