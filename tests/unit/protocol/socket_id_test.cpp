#include "protocol/socket_id.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace sockudo::protocol;

TEST(SocketId, ValidShapes) {
    for (std::string_view id : {"1.2", "123.456", "264774.13368624", "1234.1234", "0.0",
                                "10000000000.10000000000", "18446744073709551615.1"}) {
        EXPECT_TRUE(is_valid_socket_id(id)) << id;
    }
}

TEST(SocketId, InvalidShapes) {
    // Everything pusher-http-node's /^\d+\.\d+$/ refuses.
    for (std::string_view id : {"",      ".",     "1.",  ".1",   "1",          "12",    "1..2",
                                "1.2.3", "a.1",   "1.a", "-1.2", "1.-2",       "+1.2",  " 1.2",
                                "1.2 ",  "1.2\n", "1,2", "1_2",  "\xd9\xa1.1", "1.2e3", "0x1.2"}) {
        EXPECT_FALSE(is_valid_socket_id(id)) << id;
    }
    EXPECT_FALSE(is_valid_socket_id(std::string_view("1.2\0", 4)));
}
