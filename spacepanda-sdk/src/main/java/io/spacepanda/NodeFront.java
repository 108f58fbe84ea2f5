package io.spacepanda;

import io.spacepanda.internal.node.Node;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The {@link SpacePanda} the builder returns: a thin delegate to the internal node. */
final class NodeFront implements SpacePanda {

  private final Node node;

  NodeFront(Node node) {
    this.node = node;
  }

  /** Returns the internal node (for tests in this package). */
  Node node() {
    return node;
  }

  @Override
  public CompletableFuture<Void> start() {
    return node.start();
  }

  @Override
  public PeerId peerId() {
    return node.peerId();
  }

  @Override
  public List<String> listenAddresses() {
    return node.listenAddresses();
  }

  @Override
  public CompletableFuture<Space> createSpace(String name) {
    return node.createSpace(name);
  }

  @Override
  public CompletableFuture<Space> join(String inviteCode) {
    return node.join(inviteCode);
  }

  @Override
  public List<Space> spaces() {
    return node.spaces();
  }

  @Override
  public Optional<Space> space(String spaceId) {
    return node.space(spaceId);
  }

  @Override
  public long droppedEnvelopes() {
    return node.droppedEnvelopes();
  }

  @Override
  public NodeMetrics metrics() {
    return node.metrics();
  }

  @Override
  public void close() {
    node.close();
  }

  @Override
  public String toString() {
    return "SpacePanda[" + node + "]";
  }
}
