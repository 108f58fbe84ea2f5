package io.spacepanda.internal.node;

import io.spacepanda.Channel;
import io.spacepanda.Message;
import io.spacepanda.NotMemberException;
import io.spacepanda.PeerId;
import io.spacepanda.Space;
import io.spacepanda.spi.Id;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The {@link Channel} view of a node's channel. Getters read the space's latest snapshot; the
 * identity ({@link #id()}, {@link #name()}, {@link #space()}) is answered even after this node left
 * the channel (the last name it knew); what needs membership fails with {@link
 * NotMemberException}. Operations go to the space's actor.
 */
final class ChannelHandle implements Channel {

  private final Node node;
  private final Id channelId;
  private final Id spaceId;
  private final String knownName;
  private final String knownSpaceName;

  ChannelHandle(Node node, Id channelId, Id spaceId, String knownName, String knownSpaceName) {
    this.node = node;
    this.channelId = channelId;
    this.spaceId = spaceId;
    this.knownName = knownName;
    this.knownSpaceName = knownSpaceName;
  }

  private SpaceSnapshot.ChannelSnapshot live() {
    SpaceSnapshot.ChannelSnapshot c = node.channelSnapshotOrNull(spaceId, channelId);
    if (c == null) {
      throw new NotMemberException("this node is not a member of channel " + channelId);
    }
    return c;
  }

  @Override
  public String id() {
    return channelId.toString();
  }

  @Override
  public String name() {
    SpaceSnapshot.ChannelSnapshot c = node.channelSnapshotOrNull(spaceId, channelId);
    return c == null ? knownName : c.name();
  }

  @Override
  public Space space() {
    SpaceSnapshot s = node.snapshotOrNull(spaceId);
    return new SpaceHandle(node, spaceId, s == null ? knownSpaceName : s.name());
  }

  @Override
  public PeerId owner() {
    return live().owner();
  }

  @Override
  public Set<PeerId> members() {
    return live().members();
  }

  @Override
  public CompletableFuture<Void> rename(String newName) {
    return node.renameChannel(spaceId, channelId, newName);
  }

  @Override
  public CompletableFuture<Message> send(String text) {
    Objects.requireNonNull(text, "text");
    return send(text.getBytes(StandardCharsets.UTF_8), Message.TEXT);
  }

  @Override
  public CompletableFuture<Message> send(byte[] body, int contentType) {
    return node.send(spaceId, channelId, body, contentType);
  }

  @Override
  public CompletableFuture<List<Message>> history(int limit, Message before) {
    return node.history(spaceId, channelId, limit, before);
  }

  @Override
  public CompletableFuture<Void> add(PeerId member) {
    return node.addToChannel(spaceId, channelId, member);
  }

  @Override
  public CompletableFuture<Void> remove(PeerId member) {
    return node.removeFromChannel(spaceId, channelId, member);
  }

  @Override
  public CompletableFuture<Void> rotateKeys() {
    return node.rotateKeys(spaceId, channelId);
  }

  @Override
  public CompletableFuture<Void> leave() {
    return node.leaveChannel(spaceId, channelId);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChannelHandle c && c.node == node && c.channelId.equals(channelId);
  }

  @Override
  public int hashCode() {
    return channelId.hashCode();
  }

  @Override
  public String toString() {
    return "Channel[" + channelId + " " + name() + "]";
  }
}
