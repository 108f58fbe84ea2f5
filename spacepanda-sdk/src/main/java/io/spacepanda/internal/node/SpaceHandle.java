package io.spacepanda.internal.node;

import io.spacepanda.Channel;
import io.spacepanda.NotMemberException;
import io.spacepanda.PeerId;
import io.spacepanda.Role;
import io.spacepanda.Space;
import io.spacepanda.spi.Id;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The {@link Space} view of a node's space. Getters read the space's latest snapshot; {@link
 * #id()} and {@link #name()} are answered even after this node left the space (the last name it
 * knew); members, owner and roles then fail with {@link NotMemberException}. Operations go to the
 * space's actor.
 */
final class SpaceHandle implements Space {

  private final Node node;
  private final Id spaceId;
  private final String knownName;

  SpaceHandle(Node node, Id spaceId, String knownName) {
    this.node = node;
    this.spaceId = spaceId;
    this.knownName = knownName;
  }

  private SpaceSnapshot live() {
    SpaceSnapshot s = node.snapshotOrNull(spaceId);
    if (s == null || !s.present()) {
      throw new NotMemberException("this node is not a member of space " + spaceId);
    }
    return s;
  }

  @Override
  public String id() {
    return spaceId.toString();
  }

  @Override
  public String name() {
    SpaceSnapshot s = node.snapshotOrNull(spaceId);
    return s == null ? knownName : s.name();
  }

  @Override
  public PeerId owner() {
    return live().owner();
  }

  @Override
  public io.spacepanda.SpaceGovernance governance() {
    return live().governance();
  }

  @Override
  public CompletableFuture<Void> transferOwnership(PeerId member) {
    return node.transferOwnership(spaceId, member);
  }

  @Override
  public Set<PeerId> members() {
    return live().members();
  }

  @Override
  public Map<PeerId, Role> roles() {
    return live().roles();
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
    SpaceSnapshot s = node.snapshotOrNull(spaceId);
    if (s == null) {
      return List.of();
    }
    return s.channels().values().stream()
        .map(c -> (Channel) new ChannelHandle(node, c.channelId(), spaceId, c.name(), s.name())).toList();
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
    return "Space[" + spaceId + " " + name() + "]";
  }
}
