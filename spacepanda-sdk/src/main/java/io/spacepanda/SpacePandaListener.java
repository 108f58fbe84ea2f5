package io.spacepanda;

/**
 * Receives what happens on a node: messages, membership, channels, delivery and peers.
 *
 * <p>Every method has a no-op default; override what you need. Callbacks run one at a time, in
 * order, on the node's listener executor, after the storage transaction that recorded the event
 * committed. A callback that throws is logged at WARN and skipped; it never breaks the node. Do not
 * block in a callback: the next one waits for it.
 */
public interface SpacePandaListener {

  /**
   * Another member's message was received and stored.
   *
   * @param channel the channel
   * @param message the message
   */
  default void onMessage(Channel channel, Message message) {}

  /**
   * A member joined a channel (the commit adding it was applied).
   *
   * @param channel the channel
   * @param member the new member
   */
  default void onMemberJoined(Channel channel, PeerId member) {}

  /**
   * A member left a channel by its own proposal.
   *
   * @param channel the channel
   * @param member the member that left
   */
  default void onMemberLeft(Channel channel, PeerId member) {}

  /**
   * A member was removed from a channel by someone else; {@code member} may be this node.
   *
   * @param channel the channel
   * @param member the removed member
   */
  default void onMemberRemoved(Channel channel, PeerId member) {}

  /**
   * This node joined a channel, or created one.
   *
   * @param channel the channel
   */
  default void onChannelCreated(Channel channel) {}

  /**
   * A channel this node is a member of was renamed.
   *
   * @param channel the channel, with its new name
   * @param oldName the name before
   */
  default void onChannelRenamed(Channel channel, String oldName) {}

  /**
   * This node joined a space through an invite.
   *
   * @param space the space
   */
  default void onSpaceJoined(Space space) {}

  /**
   * A join by invite code made progress, this node's own or one resumed after a restart.
   *
   * @param spaceId the id of the space being joined, as {@link Space#id()} will show it
   * @param stage how far it came; {@link JoinStage#JOINED}, {@link JoinStage#REFUSED} and {@link
   *     JoinStage#TIMED_OUT} are final
   */
  default void onJoinProgress(String spaceId, JoinStage stage) {}

  /**
   * Another recipient acknowledged a copy of one of this node's messages.
   *
   * <p>The counts come from durable per-recipient state, so they continue correctly after a
   * restart.
   *
   * @param message the message id
   * @param acknowledged how many recipients acknowledged so far
   * @param recipients how many recipients the message has
   */
  default void onDeliveryProgress(MessageId message, int acknowledged, int recipients) {}

  /**
   * A copy of one of this node's messages was given up: its recipient did not acknowledge it
   * within the delivery horizon ({@link SpacePanda.Builder#deliveryHorizon}, default 14 days).
   *
   * <p>Fires once per message and recipient, when the copy is given up, never for a failed
   * attempt: failed attempts are retried with exponential backoff (2 s doubling, up to 5 minutes
   * apart) and only logged at DEBUG. Once no copy of the message is pending any more, its delivery
   * state is {@code FAILED}.
   *
   * @param message the message id
   * @param recipient the recipient that was not reached
   * @param cause why
   */
  default void onDeliveryFailed(MessageId message, PeerId recipient, Throwable cause) {}

  /**
   * The transport connected to a peer.
   *
   * @param peer the peer
   */
  default void onPeerConnected(PeerId peer) {}

  /**
   * The transport lost its last connection to a peer.
   *
   * @param peer the peer
   */
  default void onPeerLost(PeerId peer) {}

  /**
   * Called when who can manage a space changes: its owner left ({@link
   * SpaceGovernance#ADMINS_ONLY}) or its last owner or admin left ({@link
   * SpaceGovernance#UNMANAGED}), or a space without manager got one back.
   *
   * @param space the space
   * @param governance the new state; see {@link SpaceGovernance} for what can still be done
   */
  default void onGovernanceChanged(Space space, SpaceGovernance governance) {}

  /**
   * This node was on the losing branch of a fork of one of a space's groups (two commits for one
   * epoch, made on both sides of a partition) and moved to the winning branch. It sends its own
   * messages of the losing branch again and proposes again the changes the winning branch lacks
   * (see README "Who commits"); members that had those messages show them once.
   *
   * <p>Right after this event, for a channel, the member events the losing branch showed are
   * undone: {@link #onMemberRemoved} for each member it added that the winning branch lacks, and
   * {@link #onMemberJoined} for each member it removed (or that left) that the winning branch still
   * has; then come the winning branch's own member events. An app that keeps a channel's member
   * list from these events thus holds the winning branch's list at every point. The same undo
   * events come, without this event, when this node had joined a group on a losing branch and is
   * added again on the winning one. Channels created or renamed and roles changed on the losing
   * branch are not undone: they are space operations, kept in the space's log on both branches
   * and sent again after the move, so they take effect on the winning branch too.
   *
   * @param space the space
   * @param groupId the group: a channel's id, or the space's control group's
   * @param forkEpoch the last epoch both branches share
   */
  default void onForkResolved(Space space, String groupId, long forkEpoch) {}

  /**
   * A member of a space is on another branch of one of its groups, and this node cannot move to
   * it: it holds no state of the epoch the branches split from (the fork is older than the kept
   * states, or this node joined the group after the split). The group stays split until one side
   * leaves and is invited again; see README "Who commits".
   *
   * @param space the space
   * @param groupId the group: a channel's id, or the space's control group's
   * @param forkEpoch the last epoch both branches share, as far as this node can tell
   */
  default void onForkUnresolved(Space space, String groupId, long forkEpoch) {}
}
