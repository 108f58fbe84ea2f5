package io.spacepanda;

/**
 * Read-only gauges of a running node, as {@link SpacePanda#metrics()} returns them.
 *
 * <p>Every method reads a counter the node's services keep up to date; none takes a lock, touches
 * storage or blocks, so any thread may poll them (a metrics scraper does). Values are a moment's
 * view: two calls may see different moments. Counters count since {@link SpacePanda#start()};
 * before start every value is 0, and after {@link SpacePanda#close()} the counters keep their last
 * values while {@link #connectedPeers()} is 0.
 */
public interface NodeMetrics {

  /**
   * Returns the peers the transport is connected to now.
   *
   * @return the number of connected peers
   */
  int connectedPeers();

  /**
   * Returns the copies of envelopes in the outbox: queued, or failed and waiting for a retry, not
   * yet acknowledged by their recipient.
   *
   * @return the outbox backlog, counting queued copies stored before this start
   */
  long outboxBacklog();

  /**
   * Returns the inbound envelopes kept to try again later (at most 1000 are kept).
   *
   * @return the held envelopes, counting those stored before this start
   */
  long heldEnvelopes();

  /**
   * Returns the groups (channels and control groups) in which this node learned, from a sync
   * summary, that another member holds commits or messages it lacks, and whose fetch has not
   * completed yet.
   *
   * @return the number of groups with a sync gap; 0 when sync is off
   */
  long syncGaps();

  /**
   * Returns the spaces this node is a member of.
   *
   * @return the number of spaces
   */
  int spaces();

  /**
   * Returns the inbound envelopes dropped since start; the same as {@link
   * SpacePanda#droppedEnvelopes()}.
   *
   * @return the count
   */
  long droppedEnvelopes();

  /**
   * Returns the channel messages this node sent since start.
   *
   * @return the count
   */
  long messagesSent();

  /**
   * Returns the channel messages of other members this node received and stored since start.
   *
   * @return the count
   */
  long messagesReceived();
}
