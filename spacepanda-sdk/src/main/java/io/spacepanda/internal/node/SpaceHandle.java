package io.spacepanda.internal.node;

import io.spacepanda.Channel;
import io.spacepanda.PeerId;
import io.spacepanda.Role;
import io.spacepanda.Space;
import io.spacepanda.spi.Id;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** The {@link Space} view of a node's space; every call goes to the node under its lock. */
final class SpaceHandle implements Space {

  private final NodeImpl node;
  private final Id spaceId;

  SpaceHandle(NodeImpl node, Id spaceId) {
    this.node = node;
    this.spaceId = spaceId;
  }

  @Override
  public String id() {
    return spaceId.toString();
  }

  @Override
  public String name() {
    return node.spaceName(spaceId);
  }

  @Override
  public PeerId owner() {
    return node.spaceOwner(spaceId);
  }

  @Override
  public Set<PeerId> members() {
    return node.spaceMembers(spaceId);
  }

  @Override
  public Map<PeerId, Role> roles() {
    return node.roles(spaceId);
  }

  @Override
  public Optional<Role> role(PeerId member) {
    return Optional.ofNullable(roles().get(member));
  }

  @Override
  public CompletableFuture<Void> setRole(PeerId member, Role role) {
    return node.setRole(spaceId, member, role);
  }

  @Override
  public List<Channel> channels() {
    return node.channels(spaceId);
  }

  @Override
  public Optional<Channel> channel(String name) {
    return channels().stream().filter(c -> c.name().equals(name)).findFirst();
  }

  @Override
  public CompletableFuture<Channel> createChannel(String name) {
    return node.createChannel(spaceId, name);
  }

  @Override
  public CompletableFuture<String> createInvite() {
    return node.createInvite(spaceId);
  }

  @Override
  public CompletableFuture<Void> remove(PeerId member) {
    return node.removeFromSpace(spaceId, member);
  }

  @Override
  public CompletableFuture<Void> leave() {
    return node.leaveSpace(spaceId);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SpaceHandle s && s.node == node && s.spaceId.equals(spaceId);
  }

  @Override
  public int hashCode() {
    return spaceId.hashCode();
  }

  @Override
  public String toString() {
    return "Space[" + spaceId + "]";
  }
}
