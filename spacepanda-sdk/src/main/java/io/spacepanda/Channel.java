package io.spacepanda;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A channel: one conversation of a space, one MLS group whose owner (its creator) is the single
 * committer.
 *
 * <p>A {@code Channel} is a live view of the node's state. Thread-safe. Operations return futures
 * that complete when the effect is durable locally (for {@link #send}: the message is stored and
 * its copies are queued), not when peers received it; delivery progress comes through {@link
 * SpacePandaListener#onDeliveryProgress}.
 */
public interface Channel {

  /**
   * Returns the channel's id, the same on every member.
   *
   * @return the id as hex text
   */
  String id();

  /**
   * Returns the channel's display name.
   *
   * @return the name
   */
  String name();

  /**
   * Returns the space the channel belongs to.
   *
   * @return the space
   */
  Space space();

  /**
   * Returns the owner, the single committer of the channel's MLS group.
   *
   * @return the owner's peer id
   */
  PeerId owner();

  /**
   * Returns the members of the channel's MLS group in its current epoch.
   *
   * @return an immutable snapshot, this node included
   */
  Set<PeerId> members();

  /**
   * Renames the channel on every member (a space metadata operation; last writer wins).
   *
   * @param newName the display name, 1 to 100 characters
   * @return completes once the operation is stored and queued; fails with {@link
   *     IllegalStateException} if this node's role does not allow it (owner and admins may)
   * @throws IllegalArgumentException if the name is empty or too long
   */
  CompletableFuture<Void> rename(String newName);

  /**
   * Sends UTF-8 text to every other member.
   *
   * @param text the text
   * @return completes with the message once it is stored and its copies are queued
   * @throws IllegalArgumentException if the text is longer than 60 KiB in UTF-8
   */
  CompletableFuture<Message> send(String text);

  /**
   * Sends bytes with an application content type to every other member.
   *
   * @param body the body, at most 60 KiB; copied
   * @param contentType the content type code, not negative ({@link Message#TEXT} is text)
   * @return completes with the message once it is stored and its copies are queued; fails with
   *     {@link IllegalStateException} if this node is no longer a member
   * @throws IllegalArgumentException if the body is too long or the content type negative
   */
  CompletableFuture<Message> send(byte[] body, int contentType);

  /**
   * Returns the latest stored messages, in display order.
   *
   * @param limit the largest number of messages, 1 to 10,000
   * @param before return only messages that sort before this one, or null for the newest
   * @return completes with up to {@code limit} messages, oldest first
   * @throws IllegalArgumentException if the limit is out of range
   */
  CompletableFuture<List<Message>> history(int limit, Message before);

  /**
   * Adds a member of the space to the channel.
   *
   * <p>The owner asks the member for a KeyPackage and commits the add when it arrives; a non-owner
   * cannot add.
   *
   * @param member the member
   * @return completes once the request is queued; fails with {@link IllegalStateException} if this
   *     node is not the owner or the peer is not a member of the space
   */
  CompletableFuture<Void> add(PeerId member);

  /**
   * Removes a member from the channel; it reads nothing sent afterwards.
   *
   * @param member the member
   * @return completes once the commit (owner) or proposal (others) is stored and queued
   */
  CompletableFuture<Void> remove(PeerId member);

  /**
   * Renews this node's keys in the channel: a commit with a fresh path (owner) or an update
   * proposal (others).
   *
   * @return completes once the commit or proposal is stored and queued
   */
  CompletableFuture<Void> rotateKeys();

  /**
   * Leaves the channel by proposing this node's removal to the owner.
   *
   * @return completes once the proposal is stored and queued; fails with {@link
   *     IllegalStateException} for the owner, which cannot leave yet
   */
  CompletableFuture<Void> leave();
}
