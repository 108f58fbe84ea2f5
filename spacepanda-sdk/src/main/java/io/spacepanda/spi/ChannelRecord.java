package io.spacepanda.spi;

import java.time.Instant;

/**
 * The stored metadata of a channel: its id, space, name, kind, owner and creation time.
 *
 * <p>{@code kind} is a code defined by the space layer (for example a text channel or a space's
 * control group); the storage does not interpret it. {@code createdAt} has millisecond precision
 * (the constructor truncates).
 *
 * @param channelId the channel's id
 * @param spaceId the space the channel belongs to
 * @param name the channel's display name, at most 1024 chars
 * @param kind the channel kind code, not negative
 * @param ownerPeerId the owner's (committer's) PeerId bytes
 * @param createdAt when the channel was created
 */
public record ChannelRecord(
    Id channelId, Id spaceId, String name, int kind, Id ownerPeerId, Instant createdAt) {

  /**
   * Creates a channel record, checking its parts.
   *
   * @param channelId the channel's id
   * @param spaceId the space the channel belongs to
   * @param name the channel's display name, at most 1024 chars
   * @param kind the channel kind code, not negative
   * @param ownerPeerId the owner's (committer's) PeerId bytes
   * @param createdAt when the channel was created
   * @throws IllegalArgumentException if a part is null, the kind is negative or the name is too
   *     long
   */
  public ChannelRecord {
    Checks.notNull(channelId, "channelId");
    Checks.notNull(spaceId, "spaceId");
    Checks.name(name, "name");
    Checks.nonNegative(kind, "kind");
    Checks.notNull(ownerPeerId, "ownerPeerId");
    createdAt = Checks.millis(createdAt, "createdAt");
  }
}
