// Micro-benchmarks of the per-message hot paths.
#include <benchmark/benchmark.h>

#include <string>

#include "core/channel_directory.hpp"
#include "protocol/client_message.hpp"
#include "protocol/presence.hpp"
#include "protocol/server_message.hpp"
#include "protocol/signature.hpp"
#include "protocol/ws_frame.hpp"

namespace {

using namespace sockudo;

void BM_ParseClientEvent(benchmark::State& state) {
    const std::string msg =
        R"({"event":"client-typing","channel":"private-chat-42","data":{"user":"alice","typing":true}})";
    for (auto _ : state) {
        protocol::ClientMessage parsed;
        benchmark::DoNotOptimize(protocol::parse_client_message(msg, parsed));
        benchmark::DoNotOptimize(parsed);
    }
}
BENCHMARK(BM_ParseClientEvent);

void BM_BuildBroadcastFrame(benchmark::State& state) {
    const std::string data(static_cast<size_t>(state.range(0)), 'x');
    for (auto _ : state) {
        std::string json =
            protocol::server_message::channel_event("my-event", "my-channel", data, nullptr);
        benchmark::DoNotOptimize(protocol::ws::encode_frame(protocol::ws::Opcode::Text, json));
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_BuildBroadcastFrame)->Arg(64)->Arg(1024)->Arg(16 * 1024);

void BM_VerifyPrivateChannelAuth(benchmark::State& state) {
    const std::string auth =
        protocol::channel_auth("app-key", "app-secret", "1234.1234", "private-foo", nullptr);
    for (auto _ : state) {
        benchmark::DoNotOptimize(protocol::verify_channel_auth("app-key", "app-secret", "1234.1234",
                                                               "private-foo", nullptr, auth));
    }
}
BENCHMARK(BM_VerifyPrivateChannelAuth);

// What every HTTP API request costs in hashing: the body's MD5 and the query's HMAC.
void BM_SignHttpApiRequest(benchmark::State& state) {
    const std::string body =
        R"({"name":"bench","channel":"my-channel","data":"{\"hello\":\"world\"}"})";
    const std::string query =
        "POST\n/apps/app-id/"
        "events\nauth_key=app-key&auth_timestamp=1700000000&auth_version=1.0&body_md5=";
    for (auto _ : state) {
        std::string to_sign = query + protocol::md5_hex(body);
        benchmark::DoNotOptimize(protocol::hmac_sha256_hex("app-secret", to_sign));
    }
}
BENCHMARK(BM_SignHttpApiRequest);

// The authority's side of a publish: which workers to post the frame to.
void BM_FanoutRouting(benchmark::State& state) {
    core::ChannelDirectory directory;
    core::PresenceLimits limits;
    for (unsigned w = 0; w < 4; ++w) directory.subscribe("news", w, nullptr, limits);
    for (auto _ : state) benchmark::DoNotOptimize(directory.workers_for("news"));
}
BENCHMARK(BM_FanoutRouting);

void BM_PresenceJoinLeave(benchmark::State& state) {
    core::ChannelDirectory directory;
    core::PresenceLimits limits;
    limits.max_members = 0;
    for (int i = 0; i < state.range(0); ++i) {
        protocol::PresenceMember m{"user-" + std::to_string(i), R"({"name":"x"})"};
        directory.subscribe("presence-room", 0, &m, limits);
    }
    protocol::PresenceMember me{"me", R"({"name":"me"})"};
    for (auto _ : state) {
        auto joined = directory.subscribe("presence-room", 0, &me, limits);
        benchmark::DoNotOptimize(joined);
        directory.unsubscribe("presence-room", 0, &me.user_id);
    }
}
BENCHMARK(BM_PresenceJoinLeave)->Arg(10)->Arg(100);

}  // namespace

BENCHMARK_MAIN();
