package io.spacepanda.internal.space;

import io.spacepanda.PeerId;
import java.util.Objects;

/**
 * A live channel as the space's metadata describes it.
 *
 * @param channelId the channel's id
 * @param name the channel's current name (last writer wins)
 * @param kind the channel kind code given at creation
 * @param creator the member who created it
 */
public record ChannelInfo(ChannelId channelId, String name, int kind, PeerId creator) {

  /**
   * Checks that no part is null.
   *
   * @param channelId the channel's id
   * @param name the channel's current name
   * @param kind the channel kind code
   * @param creator the member who created it
   */
  public ChannelInfo {
    Objects.requireNonNull(channelId, "channelId");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(creator, "creator");
  }
}
