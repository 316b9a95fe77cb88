#include "nats/transient.hpp"

#include <gtest/gtest.h>

namespace blender_bus::nats {
namespace {

TEST(Transient, WhatARetryMayCureIsTransient) {
  for (natsStatus status : {NATS_TIMEOUT, NATS_NO_RESPONDERS, NATS_CONNECTION_DISCONNECTED,
                            NATS_NOT_YET_CONNECTED, NATS_INSUFFICIENT_BUFFER, NATS_IO_ERROR}) {
    EXPECT_TRUE(is_transient(status, 0)) << natsStatus_GetText(status);
  }
  EXPECT_TRUE(is_transient(NATS_ERR, JSClusterNotAvailErr));
}

TEST(Transient, WhatARetryCannotCureIsNot) {
  for (natsStatus status : {NATS_CONNECTION_CLOSED, NATS_INVALID_ARG, NATS_MAX_PAYLOAD, NATS_ERR}) {
    EXPECT_FALSE(is_transient(status, 0)) << natsStatus_GetText(status);
  }
  EXPECT_FALSE(is_transient(NATS_ERR, JSStreamNotFoundErr));
}

}  // namespace
}  // namespace blender_bus::nats
