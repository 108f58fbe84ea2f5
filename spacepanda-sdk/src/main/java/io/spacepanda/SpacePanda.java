package io.spacepanda;

import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.multiaddr.MultiaddrException;
import io.spacepanda.internal.net.kad.KadConfig;
import io.spacepanda.internal.net.transport.Libp2pTransport;
import io.spacepanda.internal.net.transport.Libp2pTransportConfig;
import io.spacepanda.internal.node.NodeConfig;
import io.spacepanda.internal.node.Node;
import io.spacepanda.spi.Scheduler;
import io.spacepanda.spi.Storage;
import io.spacepanda.spi.Transport;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A SpacePanda node: one identity, its spaces and channels, its storage and its transport.
 *
 * <p>Build one with {@link #builder()}, {@link #start()} it, use it, {@link #close()} it. Nothing
 * touches disk or network before {@code start()}. All methods are thread-safe. Each space is an
 * actor: its work (MLS, envelopes, storage) runs one step at a time on its own serial queue, one
 * storage transaction per step, and two spaces proceed in parallel; network threads only hand
 * envelopes over. Listener callbacks run on one ordered executor, after the step that caused them
 * committed. Operations that do I/O return {@link CompletableFuture}s that complete when the effect
 * is durable locally, never before.
 */
public interface SpacePanda extends AutoCloseable {

  /**
   * Returns a new builder with every option unset.
   *
   * @return the builder
   */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Opens storage, loads or creates the identity and starts the transport.
   *
   * @return completes when the node accepts calls; exceptionally with a storage or transport
   *     failure
   * @throws IllegalStateException if the node was started or closed before
   */
  CompletableFuture<Void> start();

  /**
   * Returns this node's peer id.
   *
   * @return the peer id (still available after {@link #close()})
   * @throws IllegalStateException if the node has never been started
   */
  PeerId peerId();

  /**
   * Returns the addresses other nodes can reach this node at.
   *
   * <p>For the libp2p transport these are full multiaddrs ending in {@code /p2p/<peer id>}, with
   * the bound port; a listen address on an unspecified host ({@code 0.0.0.0}, {@code ::}) is shown
   * as one address per local interface address. Invite codes carry up to four of them.
   *
   * @return the addresses; empty without a transport, before {@link #start()} and after {@link
   *     #close()}
   */
  List<String> listenAddresses();

  /**
   * Creates a space owned by this node, with a default channel named {@code general}.
   *
   * @param name the display name, 1 to 100 characters
   * @return completes with the space once it is stored
   * @throws IllegalArgumentException if the name is empty or too long
   */
  CompletableFuture<Space> createSpace(String name);

  /**
   * Joins a space with an invite code made by {@link Space#createInvite()}.
   *
   * <p>Sends a join request with fresh KeyPackages in a sealed envelope to the inviter and waits
   * for the Welcomes.
   *
   * @param inviteCode the code
   * <p>The join is durable: the request and its keys are stored, the request is retried until the
   * inviter answers, and a restart of this node resumes it (its outcome is then reported through
   * {@link SpacePandaListener#onJoinProgress} and {@link SpacePandaListener#onSpaceJoined}). Joining
   * the same space again while a join is pending returns the pending join's future.
   *
   * @return completes with the space once this node joined its control group and default
   *     channel; exceptionally with {@link InviteRefusedException} if the invite expired, was
   *     already used, is unknown to the inviter, or is signed by someone not (or no longer) an
   *     owner or admin of the space, or with {@link JoinTimeoutException} if no answer came
   *     before the invite's expiry or the {@linkplain Builder#joinTimeout join timeout}
   * @throws InvalidInviteException if the code is malformed or mistyped, or a signed code's
   *     signature does not verify (it was altered)
   */
  CompletableFuture<Space> join(String inviteCode);

  /**
   * Returns the spaces this node is a member of.
   *
   * @return an immutable snapshot ordered by name
   */
  List<Space> spaces();

  /**
   * Returns a space by its id.
   *
   * @param spaceId the id as {@link Space#id()} shows it
   * @return the space, or empty if this node is not a member
   */
  Optional<Space> space(String spaceId);

  /**
   * Returns how many inbound envelopes were dropped as malformed, undecryptable, replayed or
   * unexpected since start.
   *
   * @return the count
   */
  long droppedEnvelopes();

  /**
   * Returns the node's gauges: connected peers, outbox backlog, held envelopes, spaces and
   * message counts.
   *
   * <p>The returned object stays valid for the node's life and reads the current values on each
   * call, without locks; see {@link NodeMetrics}. For Micrometer, see {@link
   * SpacePandaMeterBinder}.
   *
   * @return the gauges of this node
   */
  NodeMetrics metrics();

  /**
   * Stops the transport and the node's threads and closes storage; idempotent.
   *
   * <p>Queued outbound copies stay in the outbox and are sent after the next start.
   */
  @Override
  void close();

  /**
   * Configures a {@link SpacePanda} node; fail-fast like {@code Caffeine.newBuilder()}.
   *
   * <p>Each option may be set once; setting it again, or an option that conflicts with an earlier
   * one, throws {@link IllegalStateException} naming the earlier value. Bad values throw {@link
   * IllegalArgumentException}. {@link #build()} checks the options together and touches neither
   * disk nor network. Not thread-safe.
   */
  final class Builder {

    private static final Duration MAX_HORIZON = Duration.ofDays(365);

    private Path dataDir;
    private Storage storage;
    private Transport.Factory transport;
    private final List<String> listen = new ArrayList<>();
    private final List<String> bootstrap = new ArrayList<>();
    private String dhtProtocol;
    private Boolean p2p;
    private Boolean relay;
    private Boolean natTraversal;
    private Duration relayDuration;
    private Long relayBytes;
    private Duration memberRelayDuration;
    private Long memberRelayBytes;
    private Jitter jitter;
    private PrivacyLevel privacyLevel;
    private Boolean mix;
    private List<PeerId> mixNodes;
    private Duration mixKeyRotation;
    private CoverProfile coverProfile;
    private List<Integer> paddingBuckets;
    private Integer pastEpochRetention;
    private Duration deliveryHorizon;
    private Duration syncInterval;
    private Duration committerTimeout;
    private Duration pathRefreshInterval;
    private Integer mailboxHolders;
    private Integer mailboxCapacity;
    private Duration mailboxMaxAge;
    private Clock clock;
    private Scheduler scheduler;
    private SecureRandom random;
    private Executor listenerExecutor;
    private Executor workExecutor;
    private Duration joinTimeout;
    private SpacePandaListener listener;
    private NodeEventListener eventListener;
    private char[] passphrase;

    Builder() {}

    /**
     * Keeps the node's state in a SQLite store in a directory (the embedded default).
     *
     * @param dir the directory, created at start if missing
     * @return this builder
     * @throws IllegalStateException if the data directory or a storage was set before
     */
    public Builder dataDir(Path dir) {
      Objects.requireNonNull(dir, "dir");
      requireUnset("dataDir", dataDir);
      requireUnset("storage", storage);
      dataDir = dir;
      return this;
    }

    /**
     * Keeps the node's state in a given store instead of the default; the node closes it.
     *
     * @param store the store, for example {@link Storages#inMemory()}
     * @return this builder
     * @throws IllegalStateException if a storage or data directory was set before
     */
    public Builder storage(Storage store) {
      Objects.requireNonNull(store, "store");
      requireUnset("storage", storage);
      requireUnset("dataDir", dataDir);
      storage = store;
      return this;
    }

    /**
     * Uses a transport created by a factory with the node's own resources, instead of the default
     * libp2p TCP transport.
     *
     * @param factory the factory, for example a simulated network's
     * @return this builder
     * @throws IllegalStateException if a transport was set before or {@code p2p(false)} was set
     */
    public Builder transport(Transport.Factory factory) {
      Objects.requireNonNull(factory, "factory");
      requireUnset("transport", transport);
      if (Boolean.FALSE.equals(p2p)) {
        throw new IllegalStateException("p2p was set to false before");
      }
      transport = factory;
      return this;
    }

    /**
     * Adds a multiaddr to listen on; without any, the default transport listens on {@code
     * /ip4/127.0.0.1/tcp/0} (loopback only, a free port).
     *
     * <p>{@link #build()} checks that it is a multiaddr, and a TCP one for the default transport.
     * Port 0 picks a free port; {@link SpacePanda#listenAddresses()} shows the bound one.
     *
     * @param address for example {@code /ip4/0.0.0.0/tcp/4001}
     * @return this builder
     * @throws IllegalArgumentException if the address is blank or given twice
     */
    public Builder listen(String address) {
      addAddress(listen, "listen", address);
      return this;
    }

    /**
     * Adds a bootstrap peer to connect to at start, as a multiaddr ending in its peer id.
     *
     * <p>{@link #build()} checks that it is a multiaddr with a {@code /p2p/} peer id, and a TCP
     * one for the default transport.
     *
     * @param address for example {@code /ip4/203.0.113.5/tcp/4001/p2p/12D3KooW…}
     * @return this builder
     * @throws IllegalArgumentException if the address is blank or given twice
     */
    public Builder bootstrap(String address) {
      addAddress(bootstrap, "bootstrap", address);
      return this;
    }

    /**
     * Sets the protocol id of the Kademlia DHT the default transport runs for peer routing
     * (finding a member by its peer id when its known addresses fail). The default, {@code
     * /spacepanda/kad/1.0.0}, keeps SpacePanda nodes in a DHT of their own; {@code
     * /ipfs/kad/1.0.0} joins the public libp2p DHT (whose nodes then learn this node's peer id
     * and addresses, never a space or channel). The bootstrap peers seed its routing table.
     *
     * @param protocolId a protocol id starting with {@code /}
     * @return this builder
     * @throws IllegalArgumentException if it does not start with {@code /}
     * @throws IllegalStateException if set before
     */
    public Builder dhtProtocol(String protocolId) {
      Objects.requireNonNull(protocolId, "protocolId");
      requireUnset("dhtProtocol", dhtProtocol);
      if (!protocolId.startsWith("/") || protocolId.isBlank()) {
        throw new IllegalArgumentException("DHT protocol id must start with /");
      }
      dhtProtocol = protocolId;
      return this;
    }

    /**
     * Turns networking on or off; on (the default) uses the libp2p TCP transport unless {@link
     * #transport} names another, off gives a node that works only locally.
     *
     * @param enabled false for no transport at all
     * @return this builder
     * @throws IllegalStateException if set before, or set to false after a transport was given
     */
    public Builder p2p(boolean enabled) {
      requireUnset("p2p", p2p);
      if (!enabled && transport != null) {
        throw new IllegalStateException("a transport was set before");
      }
      p2p = enabled;
      return this;
    }

    /**
     * Offers relaying to peers behind NATs (circuit relay v2) and AutoNAT dial-backs, for a node with
     * a public address such as a bootstrap node; default off. A relay sees which peers talk, when,
     * and how many bytes, never the content (Noise ciphertext end to end). Default transport only.
     *
     * @param enabled whether to relay
     * @return this builder
     * @throws IllegalStateException if set before
     */
    public Builder relay(boolean enabled) {
      requireUnset("relay", relay);
      relay = enabled;
      return this;
    }

    /**
     * Sets the limits of each connection this node relays; default 2 minutes and 128 KiB per
     * direction, as go-libp2p and js-libp2p.
     *
     * @param duration longest relayed connection, {@link Duration#ZERO} for none
     * @param bytesPerDirection most bytes per direction, 0 for none
     * @return this builder
     * @throws IllegalStateException if set before
     * @throws IllegalArgumentException if a value is negative
     */
    public Builder relayLimits(Duration duration, long bytesPerDirection) {
      Objects.requireNonNull(duration, "duration");
      requireUnset("relayLimits", relayDuration);
      if (duration.isNegative() || bytesPerDirection < 0) {
        throw new IllegalArgumentException("relay limits must not be negative: " + duration + ", " + bytesPerDirection);
      }
      relayDuration = duration;
      relayBytes = bytesPerDirection;
      return this;
    }

    /**
     * Sets the limits of each connection this node relays between two members of its spaces (and
     * what a member is told when it reserves a slot); default the same as {@link #relayLimits}.
     * Members behind a NAT prefer a relay that is a member of one of their spaces, so a member
     * relay can give its own space more room (say 10 minutes and 8 MiB) than strangers get.
     *
     * @param duration longest relayed connection between members, {@link Duration#ZERO} for none
     * @param bytesPerDirection most bytes per direction, 0 for none
     * @return this builder
     * @throws IllegalStateException if set before
     * @throws IllegalArgumentException if a value is negative
     */
    public Builder memberRelayLimits(Duration duration, long bytesPerDirection) {
      Objects.requireNonNull(duration, "duration");
      requireUnset("memberRelayLimits", memberRelayDuration);
      if (duration.isNegative() || bytesPerDirection < 0) {
        throw new IllegalArgumentException("member relay limits must not be negative: " + duration + ", "
            + bytesPerDirection);
      }
      memberRelayDuration = duration;
      memberRelayBytes = bytesPerDirection;
      return this;
    }

    /**
     * Makes this node reachable behind a NAT; default off. It asks bootstrap peers whether it can be
     * dialed (AutoNAT), keeps a reservation on bootstrap peers that relay when it cannot, announces
     * the relayed address, dials peers through those relays when no direct address works, and
     * upgrades relayed connections to direct ones by hole punching (DCUtR; listen and dial ports
     * are shared). Default transport only.
     *
     * @param enabled whether to traverse NATs
     * @return this builder
     * @throws IllegalStateException if set before
     */
    public Builder natTraversal(boolean enabled) {
      requireUnset("natTraversal", natTraversal);
      natTraversal = enabled;
      return this;
    }

    /**
     * Sets the delay before each copy of a broadcast; default {@code Jitter.uniform(30 s)}.
     *
     * @param value the jitter, for example {@link Jitter#none()}
     * @return this builder
     * @throws IllegalStateException if set before
     */
    public Builder jitter(Jitter value) {
      Objects.requireNonNull(value, "jitter");
      requireUnset("jitter", jitter);
      jitter = value;
      return this;
    }

    /**
     * Sets how much of who talks to whom the node hides from the network; default {@link
     * PrivacyLevel#DIRECT}. See {@link PrivacyLevel} for what each level hides and costs.
     *
     * @param value the level
     * @return this builder
     * @throws IllegalStateException if set before
     */
    public Builder privacyLevel(PrivacyLevel value) {
      Objects.requireNonNull(value, "privacyLevel");
      requireUnset("privacyLevel", privacyLevel);
      privacyLevel = value;
      return this;
    }

    /**
     * Offers this node as a mix for others (issue 16): with networking and the default libp2p
     * transport, the node announces itself in the DHT under the mix service key, and nodes with a
     * {@link PrivacyLevel#MIXED mixed} level route packets through it. Default false. A node with
     * a mixed level forwards packets for the members of its spaces whether or not it opted in.
     *
     * @param value whether to offer mixing
     * @return this builder
     * @throws IllegalStateException if set before
     */
    public Builder mix(boolean value) {
      requireUnset("mix", mix);
      mix = value;
      return this;
    }

    /**
     * Names mix nodes to route through at a {@link PrivacyLevel#MIXED mixed} level, besides the
     * members of this node's spaces and the mixes found in the DHT. Needed where no DHT runs (a
     * custom transport) before the node is a member of a space with enough members: until it
     * knows at least one mix, a mixed node sends nothing (it never falls back to sending
     * directly). A mix's peer id must be an Ed25519 one: the node fetches the mix's current
     * key, signed by that identity, and uses it only while the signature and validity hold.
     *
     * @param peers the mix nodes' peer ids
     * @return this builder
     * @throws IllegalStateException if set before
     */
    public Builder mixNodes(java.util.Collection<PeerId> peers) {
      Objects.requireNonNull(peers, "mixNodes");
      requireUnset("mixNodes", mixNodes);
      mixNodes = List.copyOf(peers);
      return this;
    }

    /**
     * Sets how often this node's mix key rotates when it mixes (at a mixed level, or with {@link
     * #mix(boolean)}); default 1 hour. Each key is signed by the node's identity key and valid
     * for the period plus a grace of a quarter of it (at most 5 minutes), during which packets
     * built for the previous key still arrive; the replay tags of a key are dropped with it.
     * Shorter periods limit what a stolen mix key reveals, at the cost of more key fetches by
     * senders (one small packet exchange per sender and period).
     *
     * @param period 10 seconds to 6 days
     * @return this builder
     * @throws IllegalStateException if set before
     * @throws IllegalArgumentException if out of range
     */
    public Builder mixKeyRotation(Duration period) {
      Objects.requireNonNull(period, "mixKeyRotation");
      requireUnset("mixKeyRotation", mixKeyRotation);
      if (period.compareTo(Duration.ofSeconds(10)) < 0 || period.compareTo(Duration.ofDays(6)) > 0) {
        throw new IllegalArgumentException("mixKeyRotation must be 10 s to 6 days: " + period);
      }
      mixKeyRotation = period;
      return this;
    }

    /**
     * Sets how much cover traffic the node sends at {@link PrivacyLevel#MIXED_WITH_COVER};
     * default {@link CoverProfile#STANDARD}. See {@link CoverProfile} for each profile's
     * bandwidth and latency. Only meaningful at that level: {@link #build()} refuses it at
     * another.
     *
     * @param value the profile
     * @return this builder
     * @throws IllegalStateException if set before
     */
    public Builder coverProfile(CoverProfile value) {
      Objects.requireNonNull(value, "coverProfile");
      requireUnset("coverProfile", coverProfile);
      coverProfile = value;
      return this;
    }

    /**
     * Sets the envelope size buckets; default 256 B, 1, 4, 16 and 64 KiB.
     *
     * @param bucketSizes strictly increasing sizes in bytes, the largest at least 64 KiB
     * @return this builder
     * @throws IllegalArgumentException if the list is empty, not increasing or too small
     * @throws IllegalStateException if set before
     */
    public Builder paddingBuckets(List<Integer> bucketSizes) {
      Objects.requireNonNull(bucketSizes, "bucketSizes");
      requireUnset("paddingBuckets", paddingBuckets);
      List<Integer> copy = List.copyOf(bucketSizes);
      if (copy.isEmpty()) {
        throw new IllegalArgumentException("paddingBuckets must not be empty");
      }
      for (int i = 1; i < copy.size(); i++) {
        if (copy.get(i) <= copy.get(i - 1)) {
          throw new IllegalArgumentException("paddingBuckets must increase: " + copy);
        }
      }
      if (copy.get(copy.size() - 1) < 64 * 1024) {
        throw new IllegalArgumentException("the largest padding bucket must be at least 65536: " + copy);
      }
      paddingBuckets = copy;
      return this;
    }

    /**
     * Sets how many past epochs of each channel stay decryptable for late messages; default 2.
     *
     * <p>More tolerates longer jitter and downtime; fewer gives stronger forward secrecy.
     *
     * @param epochs 0 to 64
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if set before
     */
    public Builder pastEpochRetention(int epochs) {
      requireUnset("pastEpochRetention", pastEpochRetention);
      if (epochs < 0 || epochs > 64) {
        throw new IllegalArgumentException("pastEpochRetention must be 0 to 64: " + epochs);
      }
      pastEpochRetention = epochs;
      return this;
    }

    /**
     * Sets how often this node compares with each connected member what it holds of each shared
     * channel, to fetch the messages it missed; default 30 seconds.
     *
     * <p>Each round is jittered (half to one and a half of the interval), and a round also runs
     * when a member connects. Sync fetches channel messages, commits and the space's operations
     * (and has a lost channel Welcome sent again); a message decrypts only while its epoch is
     * still within {@link #pastEpochRetention} of the member's epoch when it is fetched. Zero turns sync off: the node then has only what
     * was delivered to it within the senders' {@link #deliveryHorizon}.
     *
     * @param interval zero, or from 1 second to 1 day
     * @return this builder
     * @throws IllegalArgumentException if negative, or positive and outside 1 second to 1 day
     * @throws IllegalStateException if set before
     */
    public Builder syncInterval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      requireUnset("syncInterval", syncInterval);
      if (interval.isNegative() || (!interval.isZero() && (interval.compareTo(
          Duration.ofSeconds(1)) < 0 || interval.compareTo(Duration.ofDays(1)) > 0))) {
        throw new IllegalArgumentException(
            "syncInterval must be zero or from 1 second to 1 day: " + interval);
      }
      syncInterval = interval;
      return this;
    }

    /**
     * Sets how many online members of a space keep a copy for a member this node cannot reach
     * (mailboxes); default 3, zero opts out.
     *
     * <p>When a copy of a channel message, commit or space operation to a member fails, this node
     * hands the sealed envelope to that many members of the same space it is connected to, chosen
     * at random; they keep it (at most 10,000 per recipient, for 14 days, unless {@link
     * #mailboxLimits} says otherwise) and push it when the
     * recipient connects to them. Holders see only sealed envelopes. This node keeps its own copy
     * and retries it as before either way. Zero opts out both ways: no deposits are made and
     * none are kept for others (deposits are refused, which the depositor sees as a refusal).
     *
     * @param holders 0 to 16
     * @return this builder
     * @throws IllegalArgumentException if outside 0 to 16
     * @throws IllegalStateException if set before
     */
    public Builder mailboxHolders(int holders) {
      requireUnset("mailboxHolders", mailboxHolders);
      if (holders < 0 || holders > 16) {
        throw new IllegalArgumentException("mailboxHolders must be 0 to 16: " + holders);
      }
      mailboxHolders = holders;
      return this;
    }

    /**
     * Bounds the mailboxes this node keeps for other members of its spaces; default 10,000
     * envelopes per recipient and 14 days.
     *
     * <p>A deposit for a recipient whose mailbox here holds {@code envelopesPerRecipient}
     * envelopes is refused as full: the depositor is told through {@link
     * NodeEventListener#mailboxRefused} (with {@code full} true), hands the copy to another member
     * it has not tried yet, and keeps retrying its own copy either way, so nothing is dropped
     * silently. A kept envelope whose recipient has not connected within {@code maxAge} is deleted
     * (its sender still has its own copy until its delivery horizon). To keep no mailboxes at all,
     * use {@link #mailboxHolders(int) mailboxHolders(0)}.
     *
     * @param envelopesPerRecipient 1 to 1,000,000
     * @param maxAge positive, at most 365 days
     * @return this builder
     * @throws IllegalArgumentException if a bound is out of range
     * @throws IllegalStateException if set before
     */
    public Builder mailboxLimits(int envelopesPerRecipient, Duration maxAge) {
      Objects.requireNonNull(maxAge, "maxAge");
      requireUnset("mailboxLimits",
          mailboxCapacity == null ? null : mailboxCapacity + "/" + mailboxMaxAge);
      if (envelopesPerRecipient < 1 || envelopesPerRecipient > 1_000_000) {
        throw new IllegalArgumentException(
            "mailbox envelopesPerRecipient must be 1 to 1,000,000: " + envelopesPerRecipient);
      }
      if (maxAge.isNegative() || maxAge.isZero() || maxAge.compareTo(MAX_HORIZON) > 0) {
        throw new IllegalArgumentException(
            "mailbox maxAge must be positive and at most 365 days: " + maxAge);
      }
      mailboxCapacity = envelopesPerRecipient;
      mailboxMaxAge = maxAge;
      return this;
    }

    /**
     * Sets how long a copy of an envelope to one recipient is retried before it is given up;
     * default 14 days.
     *
     * <p>The horizon is measured from when the copy was queued, by the node's clock, across
     * restarts. Retries back off from 2 s, doubling up to 5 minutes apart; the last attempt is
     * made at the horizon, and if it fails the copy is given up: {@link
     * SpacePandaListener#onDeliveryFailed} fires once and a message not delivered to every
     * recipient ends {@code FAILED}. A member offline for longer than the horizon does not
     * receive this node's copy; mailbox holders ({@link #mailboxHolders}) and sync from other
     * members may still bring it the message.
     *
     * @param horizon positive, at most 365 days
     * @return this builder
     * @throws IllegalArgumentException if not positive or longer than 365 days
     * @throws IllegalStateException if set before
     */
    public Builder deliveryHorizon(Duration horizon) {
      Objects.requireNonNull(horizon, "horizon");
      requireUnset("deliveryHorizon", deliveryHorizon);
      if (horizon.isNegative() || horizon.isZero() || horizon.compareTo(MAX_HORIZON) > 0) {
        throw new IllegalArgumentException(
            "deliveryHorizon must be positive and at most 365 days: " + horizon);
      }
      deliveryHorizon = horizon;
      return this;
    }

    /**
     * Sets the clock for local times (receive times, invite expiry, outbox); for tests.
     *
     * @param value the clock
     * @return this builder
     * @throws IllegalStateException if set before
     */
    public Builder clock(Clock value) {
      Objects.requireNonNull(value, "clock");
      requireUnset("clock", clock);
      clock = value;
      return this;
    }

    /**
     * Sets where delayed work runs (jittered copies, retries); for tests on virtual time.
     *
     * @param executor the executor; the caller keeps ownership and shuts it down
     * @return this builder
     * @throws IllegalStateException if set before
     */
    public Builder scheduler(ScheduledExecutorService executor) {
      Objects.requireNonNull(executor, "executor");
      return scheduler(Scheduler.of(executor));
    }

    /**
     * Sets where delayed work runs, as the SDK's scheduler interface; for tests on virtual time.
     *
     * @param value the scheduler
     * @return this builder
     * @throws IllegalStateException if set before
     */
    public Builder scheduler(Scheduler value) {
      Objects.requireNonNull(value, "scheduler");
      requireUnset("scheduler", scheduler);
      scheduler = value;
      return this;
    }

    /**
     * Sets the source of randomness (keys, nonces, jitter); for deterministic tests.
     *
     * @param value the random source
     * @return this builder
     * @throws IllegalStateException if set before
     */
    public Builder random(SecureRandom value) {
      Objects.requireNonNull(value, "random");
      requireUnset("random", random);
      random = value;
      return this;
    }

    /**
     * Sets the executor listener callbacks run on, one at a time; default a dedicated thread.
     *
     * @param executor the executor; the caller keeps ownership
     * @return this builder
     * @throws IllegalStateException if set before
     */
    public Builder listenerExecutor(Executor executor) {
      Objects.requireNonNull(executor, "executor");
      requireUnset("listenerExecutor", listenerExecutor);
      listenerExecutor = executor;
      return this;
    }

    /**
     * Sets where the node's own work runs: one serial queue per space (and a few node-wide ones)
     * share this executor, so two spaces proceed in parallel while each space's steps run one at
     * a time. Default: node-owned worker threads (as many as processors, at least 2), or, when a
     * {@link #scheduler} was given (virtual time), the thread that calls the node or advances
     * that scheduler, which keeps tests deterministic.
     *
     * @param executor the executor; the caller keeps ownership and shuts it down after {@code
     *     close()}
     * @return this builder
     * @throws IllegalStateException if set before
     */
    public Builder executor(Executor executor) {
      Objects.requireNonNull(executor, "executor");
      requireUnset("executor", workExecutor);
      workExecutor = executor;
      return this;
    }

    /**
     * Sets how long a group must stay quiet (no commit, no pending proposal) before the first of
     * its members chosen to refresh their path of the ratchet tree does so; the next ones wait one
     * committer timeout more each (see README, "Tree health"). Default 10 minutes; zero turns this
     * node's path refreshes off. Refreshes keep every member's commits cheap in large groups
     * (about log2(n) encryptions instead of up to n); groups of fewer than 8 members are never
     * refreshed.
     *
     * @param interval zero, or from 1 second to 30 days
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if set before
     */
    public Builder pathRefreshInterval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      requireUnset("pathRefreshInterval", pathRefreshInterval);
      if (!interval.isZero() && (interval.compareTo(Duration.ofSeconds(1)) < 0
          || interval.compareTo(Duration.ofDays(30)) > 0)) {
        throw new IllegalArgumentException(
            "pathRefreshInterval must be zero or from 1 second to 30 days: " + interval);
      }
      pathRefreshInterval = interval;
      return this;
    }

    /**
     * Sets how long members' proposals (a leave, a key update, a removal asked by a member) may
     * wait for a group's first committer before the next committer in line commits them; default
     * 30 seconds. The committer after that waits twice as long, and so on (see README, "Who
     * commits"). Every member of a space should use the same value.
     *
     * @param timeout from 1 second to 1 day
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if set before
     */
    public Builder committerTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      requireUnset("committerTimeout", committerTimeout);
      if (timeout.compareTo(Duration.ofSeconds(1)) < 0 || timeout.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalArgumentException(
            "committerTimeout must be from 1 second to 1 day: " + timeout);
      }
      committerTimeout = timeout;
      return this;
    }

    /**
     * Sets how long a join waits for the inviter's answer; default 7 days (an invite's lifetime).
     * A join never waits past its invite's expiry; then it fails with {@link
     * JoinTimeoutException}.
     *
     * @param timeout at least 1 second
     * @return this builder
     * @throws IllegalArgumentException if shorter than 1 second
     * @throws IllegalStateException if set before
     */
    public Builder joinTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      requireUnset("joinTimeout", joinTimeout);
      if (timeout.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException("joinTimeout must be at least 1 second: " + timeout);
      }
      joinTimeout = timeout;
      return this;
    }

    /**
     * Sets the listener for the node's events.
     *
     * @param value the listener
     * @return this builder
     * @throws IllegalStateException if set before
     */
    public Builder listener(SpacePandaListener value) {
      Objects.requireNonNull(value, "listener");
      requireUnset("listener", listener);
      listener = value;
      return this;
    }

    /**
     * Sets the listener for the node's operational events (envelopes, copies, peers, steps,
     * storage failures), for metrics; default {@link NodeEventListener#none()}.
     *
     * <p>It is called inline on the node's threads and must be fast and must not block; see
     * {@link NodeEventListener}. To feed Micrometer, pass {@link
     * SpacePandaMeterBinder#eventListener()}.
     *
     * @param value the listener
     * @return this builder
     * @throws IllegalStateException if set before
     */
    public Builder eventListener(NodeEventListener value) {
      Objects.requireNonNull(value, "eventListener");
      requireUnset("eventListener", eventListener);
      eventListener = value;
      return this;
    }

    /**
     * Protects the data directory's at-rest key with a passphrase (Argon2id).
     *
     * @param value the passphrase, not empty; copied, so the caller may wipe it
     * @return this builder
     * @throws IllegalArgumentException if empty
     * @throws IllegalStateException if set before
     */
    public Builder passphrase(char[] value) {
      Objects.requireNonNull(value, "passphrase");
      if (passphrase != null) {
        throw new IllegalStateException("passphrase was already set");
      }
      if (value.length == 0) {
        throw new IllegalArgumentException("passphrase must not be empty");
      }
      passphrase = value.clone();
      return this;
    }

    /**
     * Checks the options together and creates the node, without starting it.
     *
     * <p>With networking on and no {@link #transport}, the node uses the libp2p TCP transport
     * (TCP, Noise, Yamux; envelopes over {@code /spacepanda/envelope/1.0.0}).
     *
     * @return the node, not started
     * @throws IllegalArgumentException naming the value if a listen or bootstrap address is not a
     *     multiaddr, a bootstrap address lacks its {@code /p2p/} peer id, or (for the default
     *     transport) an address is not a TCP one
     * @throws IllegalStateException if a passphrase is set without a data directory, or listen or
     *     bootstrap addresses are set with {@code p2p(false)}
     */
    public SpacePanda build() {
      if (passphrase != null && dataDir == null) {
        throw new IllegalStateException("passphrase needs dataDir (storage was "
            + (storage == null ? "unset" : storage) + ")");
      }
      boolean network = !Boolean.FALSE.equals(p2p);
      if (!network && (!listen.isEmpty() || !bootstrap.isEmpty())) {
        throw new IllegalStateException("listen/bootstrap addresses were set but p2p is false");
      }
      boolean tcpOnly = network && transport == null;
      for (String a : listen) {
        checkMultiaddr("listen", a, tcpOnly, false);
      }
      for (String a : bootstrap) {
        checkMultiaddr("bootstrap", a, tcpOnly, true);
      }
      boolean relaying = Boolean.TRUE.equals(relay);
      boolean traversing = Boolean.TRUE.equals(natTraversal);
      if ((relaying || traversing || relayDuration != null || memberRelayDuration != null) && !tcpOnly) {
        throw new IllegalStateException("relay and natTraversal need the default transport and p2p");
      }
      io.spacepanda.internal.net.relay.RelayConfig relayConfig = relayDuration == null
          ? io.spacepanda.internal.net.relay.RelayConfig.defaults()
          : io.spacepanda.internal.net.relay.RelayConfig.defaults().withConnectionLimits(relayDuration, relayBytes);
      relayConfig = memberRelayDuration != null
          ? relayConfig.withMemberLimits(memberRelayDuration, memberRelayBytes)
          : relayConfig.withMemberLimits(relayConfig.connectionDuration(), relayConfig.connectionData());
      Transport.Factory chosen = !network ? null
          : transport != null ? transport
          : Libp2pTransport.factory(Libp2pTransportConfig.defaults(),
              relaying || traversing
                  ? new io.spacepanda.internal.net.nat.NatOptions(relaying, traversing, relayConfig)
                  : io.spacepanda.internal.net.nat.NatOptions.off(),
              dhtProtocol == null ? KadConfig.defaults()
                  : KadConfig.defaults().withProtocolId(dhtProtocol));
      boolean mixed = privacyLevel == PrivacyLevel.MIXED
          || privacyLevel == PrivacyLevel.MIXED_WITH_COVER;
      if (coverProfile != null && privacyLevel != PrivacyLevel.MIXED_WITH_COVER) {
        throw new IllegalStateException("coverProfile needs privacyLevel(MIXED_WITH_COVER)");
      }
      if (chosen != null && (mixed || Boolean.TRUE.equals(mix))) {
        chosen = new io.spacepanda.internal.net.mix.MixTransport.Factory(chosen,
            mixSettings(privacyLevel, Boolean.TRUE.equals(mix),
                mixNodes == null ? List.of() : mixNodes, mixKeyRotation,
                coverProfile == null ? CoverProfile.STANDARD : coverProfile));
      }
      NodeConfig config = new NodeConfig(dataDir, storage, chosen,
          List.copyOf(listen), List.copyOf(bootstrap),
          jitter != null ? jitter : mixed ? Jitter.none() : Jitter.uniform(Duration.ofSeconds(30)),
          paddingBuckets, pastEpochRetention == null ? 2 : pastEpochRetention,
          clock == null ? Clock.systemUTC() : clock, scheduler,
          random == null ? new SecureRandom() : random, listenerExecutor, workExecutor,
          joinTimeout == null ? Duration.ofDays(7) : joinTimeout,
          listener == null ? new SpacePandaListener() {} : listener,
          passphrase == null ? null : passphrase.clone(),
          eventListener == null ? NodeEventListener.none() : eventListener,
          deliveryHorizon == null ? NodeConfig.DEFAULT_DELIVERY_HORIZON : deliveryHorizon,
          syncInterval == null ? NodeConfig.DEFAULT_SYNC_INTERVAL : syncInterval,
          committerTimeout == null ? NodeConfig.DEFAULT_COMMITTER_TIMEOUT : committerTimeout,
          mailboxHolders == null ? NodeConfig.DEFAULT_MAILBOX_HOLDERS : mailboxHolders,
          mailboxCapacity == null ? NodeConfig.DEFAULT_MAILBOX_CAPACITY : mailboxCapacity,
          mailboxMaxAge == null ? NodeConfig.DEFAULT_MAILBOX_MAX_AGE : mailboxMaxAge);
      Node node = new Node(config);
      if (pathRefreshInterval != null) {
        node.pathRefreshInterval(pathRefreshInterval);
      }
      return new NodeFront(node);
    }

    /** The mixnet settings of a privacy level (the node's own sends go direct at DIRECT). */
    private static io.spacepanda.internal.net.mix.MixTransport.Settings mixSettings(
        PrivacyLevel level, boolean announce, List<PeerId> configured, Duration keyRotation,
        CoverProfile profile) {
      io.spacepanda.internal.net.mix.MixConfig c =
          io.spacepanda.internal.net.mix.MixConfig.defaults();
      if (keyRotation != null) {
        c = c.withKeyRotation(keyRotation);
      }
      if (level == PrivacyLevel.MIXED_WITH_COVER) {
        // real packets wait for a slot of the cover stream at each end (mean 4 s, or 32 s at
        // low power): a longer wait for the acknowledgement before the outbox sends again
        c = profile == CoverProfile.LOW_POWER
            ? c.withCover(io.spacepanda.internal.net.mix.MixConfig.Cover.LOW_POWER)
                .withAckTimeout(Duration.ofMinutes(5))
            : c.withCover(io.spacepanda.internal.net.mix.MixConfig.Cover.DEFAULT)
                .withAckTimeout(Duration.ofMinutes(2));
      }
      boolean mixedSends = level == PrivacyLevel.MIXED || level == PrivacyLevel.MIXED_WITH_COVER;
      return new io.spacepanda.internal.net.mix.MixTransport.Settings(mixedSends, announce, c,
          io.spacepanda.internal.net.mix.MixTransport.Settings.DEFAULT_DISCOVERY, configured);
    }

    /**
     * Shows the options that were set, never the passphrase.
     *
     * @return a description
     */
    @Override
    public String toString() {
      Map<String, Object> set = new LinkedHashMap<>();
      put(set, "dataDir", dataDir);
      put(set, "storage", storage);
      put(set, "transport", transport);
      put(set, "listen", listen.isEmpty() ? null : listen);
      put(set, "bootstrap", bootstrap.isEmpty() ? null : bootstrap);
      put(set, "p2p", p2p);
      put(set, "relay", relay);
      put(set, "relayLimits", relayDuration == null ? null : relayDuration + "/" + relayBytes);
      put(set, "memberRelayLimits", memberRelayDuration == null ? null : memberRelayDuration + "/" + memberRelayBytes);
      put(set, "natTraversal", natTraversal);
      put(set, "jitter", jitter);
      put(set, "privacyLevel", privacyLevel);
      put(set, "mix", mix);
      put(set, "mixNodes", mixNodes);
      put(set, "mixKeyRotation", mixKeyRotation);
      put(set, "coverProfile", coverProfile);
      put(set, "paddingBuckets", paddingBuckets);
      put(set, "pastEpochRetention", pastEpochRetention);
      put(set, "deliveryHorizon", deliveryHorizon);
      put(set, "syncInterval", syncInterval);
      put(set, "committerTimeout", committerTimeout);
      put(set, "pathRefreshInterval", pathRefreshInterval);
      put(set, "mailboxHolders", mailboxHolders);
      put(set, "mailboxLimits", mailboxCapacity == null ? null
          : mailboxCapacity + "/" + mailboxMaxAge);
      put(set, "clock", clock);
      put(set, "scheduler", scheduler);
      put(set, "random", random == null ? null : "set");
      put(set, "listenerExecutor", listenerExecutor);
      put(set, "executor", workExecutor);
      put(set, "joinTimeout", joinTimeout);
      put(set, "listener", listener);
      put(set, "eventListener", eventListener);
      put(set, "passphrase", passphrase == null ? null : "***");
      return "SpacePanda.Builder" + set;
    }

    private static void put(Map<String, Object> m, String k, Object v) {
      if (v != null) {
        m.put(k, v);
      }
    }

    private static void requireUnset(String name, Object earlier) {
      if (earlier != null) {
        throw new IllegalStateException(name + " was already set to " + earlier);
      }
    }

    private static void checkMultiaddr(String name, String address, boolean tcpOnly,
        boolean needsPeerId) {
      Multiaddr m;
      try {
        m = Multiaddr.parse(address);
      } catch (MultiaddrException e) {
        throw new IllegalArgumentException(
            name + " address is not a multiaddr (" + e.getMessage() + "): " + address, e);
      }
      if (tcpOnly && m.tcpHostOrNull() == null) {
        throw new IllegalArgumentException(name + " address is not a TCP multiaddr: " + address);
      }
      if (needsPeerId) {
        byte[] pid = m.peerIdOrNull();
        if (pid == null) {
          throw new IllegalArgumentException(
              name + " address lacks /p2p/<peer id>: " + address);
        }
        try {
          PeerId.fromBytes(pid);
        } catch (InvalidPeerIdException e) {
          throw new IllegalArgumentException(
              name + " address has an invalid peer id: " + address, e);
        }
      }
    }

    private static void addAddress(List<String> list, String name, String address) {
      Objects.requireNonNull(address, name);
      if (address.isBlank()) {
        throw new IllegalArgumentException(name + " address must not be blank");
      }
      if (list.contains(address)) {
        throw new IllegalArgumentException(name + " address given twice: " + address);
      }
      list.add(address);
    }
  }
}
