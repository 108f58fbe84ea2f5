package io.spacepanda.spi;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The operations of one storage transaction, handed to {@link TransactionWork} by {@link
 * Storage#inTransaction}.
 *
 * <p>Everything done through one transaction commits together when the work returns, or not at
 * all when it throws. Reads see the transaction's own earlier writes. A transaction is valid only
 * while its work runs and only on the thread that runs it; any call after that throws {@link
 * IllegalStateException}. Transactions of one store are serializable: implementations may run
 * them one at a time.
 *
 * <p>Every operation throws {@link IllegalArgumentException} for a null argument or a negative
 * limit or count, and {@link StorageException} when the store fails (the transaction then rolls
 * back). Byte arrays in records are copies; secrets travel as {@link SecretBlob}.
 */
public interface StorageTransaction {

  // ---- node keys

  /**
   * Stores one of the node's long-term keys, replacing an earlier one of the same kind.
   *
   * @param kind which key
   * @param material the key material, typically already encoded or wrapped by the caller
   * @throws StorageException if the store fails
   */
  void putNodeKey(NodeKeyKind kind, SecretBlob material) throws StorageException;

  /**
   * Returns one of the node's long-term keys.
   *
   * @param kind which key
   * @return the key material, or empty if none was stored
   * @throws StorageException if the store fails or the stored data fail authentication
   */
  Optional<SecretBlob> nodeKey(NodeKeyKind kind) throws StorageException;

  // ---- MLS group states

  /**
   * Stores the serialized MLS state of a group, replacing the previous one.
   *
   * @param groupId the MLS group id
   * @param state the serialized state (may be hundreds of KiB)
   * @throws StorageException if the store fails
   */
  void putGroupState(Id groupId, SecretBlob state) throws StorageException;

  /**
   * Returns the serialized MLS state of a group.
   *
   * @param groupId the MLS group id
   * @return the state, or empty if none is stored
   * @throws StorageException if the store fails or the stored data fail authentication
   */
  Optional<SecretBlob> groupState(Id groupId) throws StorageException;

  /**
   * Deletes the MLS state of a group.
   *
   * @param groupId the MLS group id
   * @return true if a state was deleted, false if none was stored
   * @throws StorageException if the store fails
   */
  boolean deleteGroupState(Id groupId) throws StorageException;

  // ---- key packages

  /**
   * Stores the private material of a key package this node published, by its reference.
   *
   * @param ref the key package reference (RFC 9420 §5.2)
   * @param privateMaterial the private init and leaf keys, encoded by the caller
   * @throws StorageException if the store fails
   */
  void putKeyPackage(Id ref, SecretBlob privateMaterial) throws StorageException;

  /**
   * Returns the private material of a key package.
   *
   * @param ref the key package reference
   * @return the material, or empty if none is stored
   * @throws StorageException if the store fails or the stored data fail authentication
   */
  Optional<SecretBlob> keyPackage(Id ref) throws StorageException;

  /**
   * Deletes the private material of a key package, typically once it was used to join.
   *
   * @param ref the key package reference
   * @return true if material was deleted, false if none was stored
   * @throws StorageException if the store fails
   */
  boolean deleteKeyPackage(Id ref) throws StorageException;

  // ---- spaces and channels

  /**
   * Stores a space's metadata, replacing an earlier record with the same id.
   *
   * @param space the space record
   * @throws StorageException if the store fails
   */
  void putSpace(SpaceRecord space) throws StorageException;

  /**
   * Returns a space's metadata.
   *
   * @param spaceId the space id
   * @return the record, or empty if unknown
   * @throws StorageException if the store fails
   */
  Optional<SpaceRecord> space(Id spaceId) throws StorageException;

  /**
   * Returns every stored space, ordered by space id.
   *
   * @return the spaces; empty if none
   * @throws StorageException if the store fails
   */
  List<SpaceRecord> spaces() throws StorageException;

  /**
   * Deletes a space with its channel records and its operations log; the channels' messages stay.
   *
   * @param spaceId the space id
   * @return true if the space record existed
   * @throws StorageException if the store fails
   */
  boolean deleteSpace(Id spaceId) throws StorageException;

  /**
   * Stores a channel's metadata, replacing an earlier record with the same id.
   *
   * @param channel the channel record
   * @throws StorageException if the store fails
   */
  void putChannel(ChannelRecord channel) throws StorageException;

  /**
   * Returns a channel's metadata.
   *
   * @param channelId the channel id
   * @return the record, or empty if unknown
   * @throws StorageException if the store fails
   */
  Optional<ChannelRecord> channel(Id channelId) throws StorageException;

  /**
   * Returns the channels of a space, ordered by channel id.
   *
   * @param spaceId the space id
   * @return the channels; empty if none
   * @throws StorageException if the store fails
   */
  List<ChannelRecord> channels(Id spaceId) throws StorageException;

  /**
   * Deletes a channel record together with all of its messages.
   *
   * @param channelId the channel id
   * @return true if the channel record existed
   * @throws StorageException if the store fails
   */
  boolean deleteChannel(Id channelId) throws StorageException;

  /**
   * Appends an operation to its space's metadata log unless one with its id is already there.
   *
   * @param operation the operation
   * @return true if the operation was new and is now stored, false if its id was known (nothing
   *     changed)
   * @throws StorageException if the store fails
   */
  boolean appendSpaceOperation(SpaceOperation operation) throws StorageException;

  /**
   * Returns a space's metadata log ordered by (lamport, authorPeerId, operationId).
   *
   * @param spaceId the space id
   * @return the operations; empty if none
   * @throws StorageException if the store fails or stored data fail authentication
   */
  List<SpaceOperation> spaceOperations(Id spaceId) throws StorageException;

  // ---- messages

  /**
   * Stores a message unless one with the same message id is already stored.
   *
   * @param message the message
   * @return true if the message was new and is now stored; false if its id was known, in which case
   *     nothing changed (not even the stored copy's delivery state)
   * @throws StorageException if the store fails
   */
  boolean insertMessage(StoredMessage message) throws StorageException;

  /**
   * Returns a message by id.
   *
   * @param messageId the message id
   * @return the message, or empty if unknown
   * @throws StorageException if the store fails or stored data fail authentication
   */
  Optional<StoredMessage> message(Id messageId) throws StorageException;

  /**
   * Returns the latest messages of a channel that sort strictly before a cursor, in display order.
   *
   * <p>Display order is (lamport, senderPeerId, senderSequence) ascending, with the message id as
   * a final tie-break. The result holds the last {@code limit} messages before {@code before} (all
   * messages when {@code before} is null), oldest first. To page further back, pass the first
   * returned message's {@link StoredMessage#cursor()}.
   *
   * @param channelId the channel id
   * @param before the exclusive upper bound, or null for the newest messages
   * @param limit the largest number of messages to return, not negative
   * @return up to {@code limit} messages, oldest first
   * @throws StorageException if the store fails or stored data fail authentication
   */
  List<StoredMessage> history(Id channelId, HistoryCursor before, int limit)
      throws StorageException;

  /**
   * Returns the largest Lamport clock among a channel's stored messages.
   *
   * @param channelId the channel id
   * @return the largest Lamport clock, or empty if the channel has no messages
   * @throws StorageException if the store fails
   */
  OptionalLong maxLamport(Id channelId) throws StorageException;

  /**
   * Changes the delivery state of a stored message.
   *
   * @param messageId the message id
   * @param state the new state
   * @return true if the message exists (its state is now {@code state}), false if it is unknown
   * @throws StorageException if the store fails
   */
  boolean updateDeliveryState(Id messageId, DeliveryState state) throws StorageException;

  // ---- outbox

  /**
   * Adds an entry to the outbox unless one with the same (envelopeId, recipient) is there.
   *
   * @param entry the entry
   * @return true if the entry was new and is now queued, false if its key was known (nothing
   *     changed)
   * @throws StorageException if the store fails
   */
  boolean enqueueOutbox(OutboxEntry entry) throws StorageException;

  /**
   * Returns the outbox entries due at a time, earliest first.
   *
   * <p>An entry is due when its {@code nextAttemptAt} is at or before {@code now}. Entries due at
   * the same time are ordered by (envelopeId, recipient). Returning an entry does not change it:
   * the caller {@linkplain #ackOutbox acknowledges} or {@linkplain #rescheduleOutbox reschedules}
   * it.
   *
   * @param now the current local time
   * @param limit the largest number of entries to return, not negative
   * @return up to {@code limit} due entries
   * @throws StorageException if the store fails or stored data fail authentication
   */
  List<OutboxEntry> dueOutbox(Instant now, int limit) throws StorageException;

  /**
   * Removes an entry from the outbox because its recipient acknowledged it.
   *
   * @param envelopeId the envelope id
   * @param recipient the recipient's PeerId bytes
   * @return true if the entry was queued and is now removed
   * @throws StorageException if the store fails
   */
  boolean ackOutbox(Id envelopeId, Id recipient) throws StorageException;

  /**
   * Moves an entry's next attempt to a new time and counts one more failed attempt.
   *
   * @param envelopeId the envelope id
   * @param recipient the recipient's PeerId bytes
   * @param nextAttemptAt when the entry is due next (millisecond precision)
   * @return true if the entry was queued and is now rescheduled
   * @throws StorageException if the store fails
   */
  boolean rescheduleOutbox(Id envelopeId, Id recipient, Instant nextAttemptAt)
      throws StorageException;

  // ---- per-recipient delivery state

  /**
   * Records where the copy of a message to one recipient stands, replacing an earlier state.
   *
   * <p>The store does not check that the message or an outbox entry exists: the caller writes the
   * states in the transaction that stores the message and its outbox entries, and changes them in
   * the transaction that acknowledges or gives up an entry.
   *
   * @param messageId the message id
   * @param recipient the recipient's PeerId bytes
   * @param state the state
   * @throws StorageException if the store fails
   */
  void putRecipientState(Id messageId, Id recipient, RecipientState state)
      throws StorageException;

  /**
   * Returns the state of every recipient of a message, ordered by recipient.
   *
   * @param messageId the message id
   * @return an unmodifiable map from recipient PeerId bytes to state; empty if none is stored
   * @throws StorageException if the store fails or stored data are malformed
   */
  Map<Id, RecipientState> recipientStates(Id messageId) throws StorageException;

  /**
   * Returns where one recipient's copy of a message stands.
   *
   * <p>The delivery layer calls this once per acknowledged or given-up copy. The default reads
   * every state of the message through {@link #recipientStates}; a store should override it to
   * read the one state (the node's stores do).
   *
   * @param messageId the message id
   * @param recipient the recipient's PeerId bytes
   * @return its state, or empty if none is stored
   * @throws StorageException if the store fails or stored data are malformed
   */
  default Optional<RecipientState> recipientState(Id messageId, Id recipient)
      throws StorageException {
    Checks.notNull(recipient, "recipient");
    return Optional.ofNullable(recipientStates(messageId).get(recipient));
  }

  /**
   * Returns how many recipients of a message are in each state.
   *
   * <p>The delivery layer calls this once per acknowledged or given-up copy, so reading every
   * state here makes a message to n recipients cost n² reads. The default does just that through
   * {@link #recipientStates}; a store should override it to count in place (the in-memory store
   * keeps the counts, SQLite counts over its index).
   *
   * @param messageId the message id
   * @return the counts; all zero if none is stored
   * @throws StorageException if the store fails or stored data are malformed
   */
  default RecipientCounts recipientCounts(Id messageId) throws StorageException {
    return RecipientCounts.of(recipientStates(messageId).values());
  }

  /**
   * Deletes the recipient states of a message, typically once every one of them is final and the
   * message's own {@link DeliveryState} records the outcome.
   *
   * @param messageId the message id
   * @return how many states were deleted
   * @throws StorageException if the store fails
   */
  int deleteRecipientStates(Id messageId) throws StorageException;

  // ---- pending envelopes

  /**
   * Keeps an envelope whose tag matched no key yet, unless one with the same id is kept.
   *
   * <p>The store does not bound itself; the caller calls {@link #prunePendingEnvelopes} with its
   * bounds, typically in the same transaction.
   *
   * @param envelope the envelope
   * @return true if the envelope was new and is now kept
   * @throws StorageException if the store fails
   */
  boolean addPendingEnvelope(PendingEnvelope envelope) throws StorageException;

  /**
   * Returns every kept envelope, oldest first (by receivedAt, then envelope id).
   *
   * @return the envelopes; empty if none
   * @throws StorageException if the store fails or stored data fail authentication
   */
  List<PendingEnvelope> pendingEnvelopes() throws StorageException;

  /**
   * Deletes a kept envelope, typically once it was opened.
   *
   * @param envelopeId the envelope id
   * @return true if the envelope was kept and is now deleted
   * @throws StorageException if the store fails
   */
  boolean deletePendingEnvelope(Id envelopeId) throws StorageException;

  /**
   * Deletes kept envelopes received before a time, then the oldest ones beyond a count.
   *
   * @param maxCount how many envelopes may remain at most, not negative
   * @param receivedBefore envelopes received strictly before this time are deleted
   * @return how many envelopes were deleted
   * @throws StorageException if the store fails
   */
  int prunePendingEnvelopes(int maxCount, Instant receivedBefore) throws StorageException;

  // ---- sync envelopes

  /**
   * Keeps a channel application message for sync unless one with the same channel, sender and
   * sequence is kept already.
   *
   * <p>The store does not bound itself; what is kept is what a member can serve to others.
   *
   * @param envelope the message and its address
   * @return true if it was new and is now kept, false if its address was taken (nothing changed)
   * @throws StorageException if the store fails
   */
  boolean putSyncEnvelope(SyncEnvelope envelope) throws StorageException;

  /**
   * Keeps a message for sync in place of the one kept at its channel, sender and sequence, if
   * any: used when a node moves from the losing branch of a fork to the winning one, whose commits
   * and re-sent messages replace the losing branch's. An empty message is a tombstone.
   *
   * <p>The default throws {@link UnsupportedOperationException}: a store without it cannot follow
   * the winning branch of a fork (README "Who commits").
   *
   * @param envelope the message and its address
   * @throws StorageException if the store fails
   */
  default void replaceSyncEnvelope(SyncEnvelope envelope) throws StorageException {
    throw new UnsupportedOperationException("this store cannot replace sync envelopes");
  }

  /**
   * Returns kept messages of one sender in a channel from a sequence on, in sequence order.
   *
   * @param channelId the channel
   * @param sender the sender
   * @param fromSequence the smallest sequence returned
   * @param limit the most messages returned, not negative
   * @return the messages with {@code sequence >= fromSequence}, ascending; empty if none
   * @throws StorageException if the store fails or stored data fail authentication
   */
  List<SyncEnvelope> syncEnvelopes(Id channelId, Id sender, long fromSequence, int limit)
      throws StorageException;

  /**
   * Returns, per sender of a channel, the highest sequence up to which every message from
   * sequence 0 on is kept (or from a tombstone that {@link #pruneSyncEnvelopes} left).
   *
   * <p>A sender whose lowest kept entry is neither sequence 0 nor a tombstone has no entry.
   *
   * @param channelId the channel
   * @return sender to highest contiguous sequence; empty if none
   * @throws StorageException if the store fails
   */
  Map<Id, Long> highWaterMarks(Id channelId) throws StorageException;

  /**
   * Bounds the kept messages of one group: per sender, all but the newest {@code keepPerSender}
   * are deleted, and the newest deleted one is kept as a <em>tombstone</em> (its address and
   * epoch, with an empty MLS message) so that {@link #highWaterMarks} still counts from it.
   *
   * <p>A store that does not override this keeps everything (returns 0).
   *
   * @param channelId the group
   * @param keepPerSender how many messages of each sender stay, at least 1
   * @return how many messages were deleted or made tombstones
   * @throws StorageException if the store fails
   */
  default int pruneSyncEnvelopes(Id channelId, int keepPerSender) throws StorageException {
    return 0;
  }

  // ---- mailboxes

  /**
   * Keeps a sealed envelope for an unreachable member unless one with the same recipient and id
   * is kept. The store does not bound itself: the caller checks {@link #mailboxCount} first and
   * calls {@link #pruneMailboxes}.
   *
   * <p>A store that does not override the mailbox methods keeps no mailboxes: they throw {@link
   * UnsupportedOperationException}, and the node then refuses to hold envelopes for others.
   *
   * @param envelope the envelope and its recipient
   * @return true if it was new and is now kept
   * @throws StorageException if the store fails
   */
  default boolean putMailboxEnvelope(MailboxEnvelope envelope) throws StorageException {
    throw new UnsupportedOperationException("this store keeps no mailboxes");
  }

  /**
   * Returns the kept envelopes of one recipient in the order they were put.
   *
   * @param recipient the recipient
   * @param limit the most returned, not negative
   * @return the envelopes, oldest first; empty if none
   * @throws StorageException if the store fails or stored data fail authentication
   */
  default List<MailboxEnvelope> mailboxEnvelopes(Id recipient, int limit)
      throws StorageException {
    throw new UnsupportedOperationException("this store keeps no mailboxes");
  }

  /**
   * Returns how many envelopes are kept for one recipient.
   *
   * @param recipient the recipient
   * @return the count
   * @throws StorageException if the store fails
   */
  default int mailboxCount(Id recipient) throws StorageException {
    throw new UnsupportedOperationException("this store keeps no mailboxes");
  }

  /**
   * Deletes one kept envelope, typically once it was handed on.
   *
   * @param recipient the recipient
   * @param envelopeId the envelope id
   * @return true if it was kept and is now deleted
   * @throws StorageException if the store fails
   */
  default boolean deleteMailboxEnvelope(Id recipient, Id envelopeId) throws StorageException {
    throw new UnsupportedOperationException("this store keeps no mailboxes");
  }

  /**
   * Deletes every kept envelope deposited before a time, for all recipients.
   *
   * @param depositedBefore envelopes deposited strictly before it are deleted
   * @return how many were deleted
   * @throws StorageException if the store fails
   */
  default int pruneMailboxes(Instant depositedBefore) throws StorageException {
    throw new UnsupportedOperationException("this store keeps no mailboxes");
  }

  // ---- address book

  /**
   * Replaces the persisted address book by {@code peers} (the transport's bounded snapshot).
   *
   * <p>A store that does not override the address-book methods keeps none: this returns false and
   * {@link #knownPeers} returns an empty list, so the node then needs its bootstrap peers after
   * every restart.
   *
   * @param peers the entries, at most {@value KnownPeer#MAX_KNOWN_PEERS}
   * @return true if the store kept them
   * @throws IllegalArgumentException if there are more than {@value KnownPeer#MAX_KNOWN_PEERS}
   * @throws StorageException if the store fails
   */
  default boolean replaceKnownPeers(List<KnownPeer> peers) throws StorageException {
    return false;
  }

  /**
   * Returns the persisted address book, in the order it was written.
   *
   * @return the entries; empty when none were kept
   * @throws StorageException if the store fails or stored data fail authentication
   */
  default List<KnownPeer> knownPeers() throws StorageException {
    return List.of();
  }

  // ---- node records

  /**
   * Stores a node record, replacing the one of the same kind and key.
   *
   * <p>A store that does not override the node-record methods keeps none: this returns false and
   * {@link #nodeRecords} returns an empty list, so the state they hold lasts only while the node
   * runs (as before they existed).
   *
   * @param record the record
   * @return true if the store kept it
   * @throws StorageException if the store fails
   */
  default boolean putNodeRecord(NodeRecord record) throws StorageException {
    return false;
  }

  /**
   * Returns the node records of one kind, in the order they were last written.
   *
   * @param kind 1 to 255
   * @return the records; empty when none were kept
   * @throws StorageException if the store fails or stored data fail authentication
   */
  default List<NodeRecord> nodeRecords(int kind) throws StorageException {
    return List.of();
  }

  /**
   * Deletes a node record.
   *
   * @param kind its kind
   * @param key its key
   * @return true if it existed
   * @throws StorageException if the store fails
   */
  default boolean deleteNodeRecord(int kind, Id key) throws StorageException {
    return false;
  }

  // ---- invites

  /**
   * Stores a new invite unless one with the same secret hash exists.
   *
   * @param invite the invite
   * @return true if the invite was new and is now stored, false if its hash was known (nothing
   *     changed)
   * @throws StorageException if the store fails
   */
  boolean putInvite(Invite invite) throws StorageException;

  /**
   * Returns an invite by the hash of its secret.
   *
   * @param secretHash the hash of the invite secret
   * @return the invite, or empty if unknown
   * @throws StorageException if the store fails
   */
  Optional<Invite> invite(Id secretHash) throws StorageException;

  /**
   * Marks an invite used if it exists, is unused and has not expired at {@code now}.
   *
   * <p>Of any number of redemptions of one invite, across transactions and threads, exactly one
   * returns {@link InviteRedemption#REDEEMED} (unless the invite expired first). An invite whose
   * expiry equals {@code now} has expired.
   *
   * @param secretHash the hash of the invite secret
   * @param now the current local time
   * @return the outcome
   * @throws StorageException if the store fails
   */
  InviteRedemption redeemInvite(Id secretHash, Instant now) throws StorageException;
}
