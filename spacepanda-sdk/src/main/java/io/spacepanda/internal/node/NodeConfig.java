package io.spacepanda.internal.node;

import io.spacepanda.Jitter;
import io.spacepanda.NodeEventListener;
import io.spacepanda.SpacePandaListener;
import io.spacepanda.spi.Scheduler;
import io.spacepanda.spi.Storage;
import io.spacepanda.spi.Transport;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * The checked options of one node, as {@code SpacePanda.Builder.build()} hands them over.
 *
 * @param dataDir the SQLite directory, or null
 * @param storage the given store, or null (then SQLite under dataDir, or in memory)
 * @param transport the transport factory, or null for {@code p2p(false)}
 * @param listen listen addresses
 * @param bootstrap bootstrap addresses
 * @param jitter the broadcast jitter
 * @param paddingBucketsOrNull the envelope buckets, or null for the defaults
 * @param pastEpochRetention past epochs kept decryptable
 * @param clock the local clock
 * @param schedulerOrNull the scheduler, or null for a node-owned thread
 * @param random the random source
 * @param listenerExecutorOrNull the listener executor, or null for a node-owned thread
 * @param workExecutorOrNull where the node's actors run, or null for the default (node-owned
 *     worker threads, or the caller's thread when a scheduler was given)
 * @param joinTimeout how long a join waits for the inviter's answer
 * @param listener the listener
 * @param passphraseOrNull the at-rest passphrase, or null
 * @param eventListener the operational event listener
 * @param deliveryHorizon how long a copy is retried before it is given up, positive
 * @param syncInterval how often sync summaries go to connected members; zero turns sync off
 * @param committerTimeout how long proposals wait for a group's first committer before the next
 *     one commits them, positive
 * @param mailboxHolders how many online members a copy to an unreachable member is handed to
 *     (mailboxes); zero opts out: no deposits made, none kept for others
 * @param mailboxCapacity envelopes kept per recipient at most when holding mailboxes for others,
 *     positive; beyond, deposits are refused as full
 * @param mailboxMaxAge how long a kept envelope waits for its recipient at most, positive
 */
public record NodeConfig(Path dataDir, Storage storage, Transport.Factory transport,
    List<String> listen, List<String> bootstrap, Jitter jitter,
    List<Integer> paddingBucketsOrNull, int pastEpochRetention, Clock clock,
    Scheduler schedulerOrNull, SecureRandom random, Executor listenerExecutorOrNull,
    Executor workExecutorOrNull, Duration joinTimeout, SpacePandaListener listener,
    char[] passphraseOrNull, NodeEventListener eventListener, Duration deliveryHorizon,
    Duration syncInterval, Duration committerTimeout, int mailboxHolders, int mailboxCapacity,
    Duration mailboxMaxAge) {

  /** Envelopes a holder keeps per recipient by default. */
  public static final int DEFAULT_MAILBOX_CAPACITY = 10_000;

  /** How long a holder keeps an envelope for its recipient by default. */
  public static final Duration DEFAULT_MAILBOX_MAX_AGE = Duration.ofDays(14);

  /**
   * The options with the default mailbox bounds.
   *
   * @param dataDir the SQLite directory, or null
   * @param storage the given store, or null
   * @param transport the transport factory, or null
   * @param listen listen addresses
   * @param bootstrap bootstrap addresses
   * @param jitter the broadcast jitter
   * @param paddingBucketsOrNull the envelope buckets, or null
   * @param pastEpochRetention past epochs kept decryptable
   * @param clock the local clock
   * @param schedulerOrNull the scheduler, or null
   * @param random the random source
   * @param listenerExecutorOrNull the listener executor, or null
   * @param workExecutorOrNull where the node's actors run, or null
   * @param joinTimeout how long a join waits for the inviter's answer
   * @param listener the listener
   * @param passphraseOrNull the at-rest passphrase, or null
   * @param eventListener the operational event listener
   * @param deliveryHorizon how long a copy is retried
   * @param syncInterval how often sync summaries go out; zero turns sync off
   * @param committerTimeout how long proposals wait for a group's first committer
   * @param mailboxHolders how many online members keep a copy for an unreachable member
   */
  public NodeConfig(Path dataDir, Storage storage, Transport.Factory transport,
      List<String> listen, List<String> bootstrap, Jitter jitter,
      List<Integer> paddingBucketsOrNull, int pastEpochRetention, Clock clock,
      Scheduler schedulerOrNull, SecureRandom random, Executor listenerExecutorOrNull,
      Executor workExecutorOrNull, Duration joinTimeout, SpacePandaListener listener,
      char[] passphraseOrNull, NodeEventListener eventListener, Duration deliveryHorizon,
      Duration syncInterval, Duration committerTimeout, int mailboxHolders) {
    this(dataDir, storage, transport, listen, bootstrap, jitter, paddingBucketsOrNull,
        pastEpochRetention, clock, schedulerOrNull, random, listenerExecutorOrNull,
        workExecutorOrNull, joinTimeout, listener, passphraseOrNull, eventListener,
        deliveryHorizon, syncInterval, committerTimeout, mailboxHolders,
        DEFAULT_MAILBOX_CAPACITY, DEFAULT_MAILBOX_MAX_AGE);
  }

  /** How long proposals wait by default before the next committer in line commits them. */
  public static final Duration DEFAULT_COMMITTER_TIMEOUT = Duration.ofSeconds(30);

  /** Members a copy to an unreachable recipient is handed to by default. */
  public static final int DEFAULT_MAILBOX_HOLDERS = 3;

  /**
   * The options with the default committer timeout and mailbox holders.
   *
   * @param dataDir the SQLite directory, or null
   * @param storage the given store, or null
   * @param transport the transport factory, or null
   * @param listen listen addresses
   * @param bootstrap bootstrap addresses
   * @param jitter the broadcast jitter
   * @param paddingBucketsOrNull the envelope buckets, or null
   * @param pastEpochRetention past epochs kept decryptable
   * @param clock the local clock
   * @param schedulerOrNull the scheduler, or null
   * @param random the random source
   * @param listenerExecutorOrNull the listener executor, or null
   * @param workExecutorOrNull where the node's actors run, or null
   * @param joinTimeout how long a join waits for the inviter's answer
   * @param listener the listener
   * @param passphraseOrNull the at-rest passphrase, or null
   * @param eventListener the operational event listener
   * @param deliveryHorizon how long a copy is retried
   * @param syncInterval how often sync summaries go out; zero turns sync off
   */
  public NodeConfig(Path dataDir, Storage storage, Transport.Factory transport,
      List<String> listen, List<String> bootstrap, Jitter jitter,
      List<Integer> paddingBucketsOrNull, int pastEpochRetention, Clock clock,
      Scheduler schedulerOrNull, SecureRandom random, Executor listenerExecutorOrNull,
      Executor workExecutorOrNull, Duration joinTimeout, SpacePandaListener listener,
      char[] passphraseOrNull, NodeEventListener eventListener, Duration deliveryHorizon,
      Duration syncInterval) {
    this(dataDir, storage, transport, listen, bootstrap, jitter, paddingBucketsOrNull,
        pastEpochRetention, clock, schedulerOrNull, random, listenerExecutorOrNull,
        workExecutorOrNull, joinTimeout, listener, passphraseOrNull, eventListener,
        deliveryHorizon, syncInterval, DEFAULT_COMMITTER_TIMEOUT, DEFAULT_MAILBOX_HOLDERS);
  }

  /** How long a copy is retried by default before it is given up. */
  public static final Duration DEFAULT_DELIVERY_HORIZON = Duration.ofDays(14);

  /** How often sync summaries go to connected members by default, before jitter. */
  public static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofSeconds(30);

  @Override
  public String toString() {
    return "NodeConfig[dataDir=" + dataDir + ", jitter=" + jitter + ", pastEpochRetention="
        + pastEpochRetention + ", deliveryHorizon=" + deliveryHorizon + ", syncInterval="
        + syncInterval + ", committerTimeout=" + committerTimeout + ", mailboxHolders="
        + mailboxHolders + ", mailboxCapacity=" + mailboxCapacity + ", mailboxMaxAge="
        + mailboxMaxAge + "]";
  }
}
