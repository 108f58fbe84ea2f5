package io.spacepanda.spi;

import java.time.Instant;

/**
 * The stored metadata of a space: its id, name, owner and creation time.
 *
 * <p>{@code createdAt} has millisecond precision (the constructor truncates).
 *
 * @param spaceId the space's id
 * @param name the space's display name, at most 1024 chars
 * @param ownerPeerId the owner's PeerId bytes
 * @param createdAt when the space was created, by the creator's or this node's clock
 */
public record SpaceRecord(Id spaceId, String name, Id ownerPeerId, Instant createdAt) {

  /**
   * Creates a space record, checking its parts.
   *
   * @param spaceId the space's id
   * @param name the space's display name, at most 1024 chars
   * @param ownerPeerId the owner's PeerId bytes
   * @param createdAt when the space was created, by the creator's or this node's clock
   * @throws IllegalArgumentException if a part is null or the name is too long
   */
  public SpaceRecord {
    Checks.notNull(spaceId, "spaceId");
    Checks.name(name, "name");
    Checks.notNull(ownerPeerId, "ownerPeerId");
    createdAt = Checks.millis(createdAt, "createdAt");
  }
}
