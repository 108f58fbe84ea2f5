package io.spacepanda.internal.node;

import io.spacepanda.Channel;
import io.spacepanda.Message;
import io.spacepanda.PeerId;
import io.spacepanda.Space;
import io.spacepanda.spi.Id;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** The {@link Channel} view of a node's channel; every call goes to the node under its lock. */
final class ChannelHandle implements Channel {

  private final NodeImpl node;
  private final Id channelId;
  private final Id spaceId;

  ChannelHandle(NodeImpl node, Id channelId, Id spaceId) {
    this.node = node;
    this.channelId = channelId;
    this.spaceId = spaceId;
  }

  @Override
  public String id() {
    return channelId.toString();
  }

  @Override
  public String name() {
    return node.channelName(channelId);
  }

  @Override
  public Space space() {
    return new SpaceHandle(node, spaceId);
  }

  @Override
  public PeerId owner() {
    return node.channelOwner(channelId);
  }

  @Override
  public Set<PeerId> members() {
    return node.channelMembers(channelId);
  }

  @Override
  public CompletableFuture<Void> rename(String newName) {
    return node.renameChannel(channelId, newName);
  }

  @Override
  public CompletableFuture<Message> send(String text) {
    Objects.requireNonNull(text, "text");
    return send(text.getBytes(StandardCharsets.UTF_8), Message.TEXT);
  }

  @Override
  public CompletableFuture<Message> send(byte[] body, int contentType) {
    return node.send(channelId, body, contentType);
  }

  @Override
  public CompletableFuture<List<Message>> history(int limit, Message before) {
    return node.history(channelId, limit, before);
  }

  @Override
  public CompletableFuture<Void> add(PeerId member) {
    return node.addToChannel(channelId, member);
  }

  @Override
  public CompletableFuture<Void> remove(PeerId member) {
    return node.removeFromChannel(channelId, member);
  }

  @Override
  public CompletableFuture<Void> rotateKeys() {
    return node.rotateKeys(channelId);
  }

  @Override
  public CompletableFuture<Void> leave() {
    return node.leaveChannel(channelId);
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
    return "Channel[" + channelId + "]";
  }
}
