package io.spacepanda.internal.node;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.spacepanda.MessageId;
import io.spacepanda.NodeEventListener.DropReason;
import io.spacepanda.PeerId;
import io.spacepanda.internal.crypto.IdentityKey;
import io.spacepanda.internal.crypto.InboxKey;
import io.spacepanda.spi.Scheduler;
import io.spacepanda.internal.envelope.Padding;
import io.spacepanda.internal.envelope.TagIndex;
import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.MlsException;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.crypto.KeyPair;
import io.spacepanda.internal.mls.group.Group;
import io.spacepanda.internal.mls.group.KeyPackageBundle;
import io.spacepanda.internal.mls.group.MlsConfig;
import io.spacepanda.internal.mls.message.Credential;
import io.spacepanda.internal.mls.message.KeyPackage;
import io.spacepanda.internal.mls.message.MlsMessage;
import io.spacepanda.internal.mls.message.Welcome;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.Storage;
import io.spacepanda.spi.Transport;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * What every service of one started node shares: its identity and keys, configuration, storage,
 * step runner, event bus, the registry of space actors, the envelope tag index and the dedup cache.
 *
 * <p>Everything here is either immutable after start or thread-safe (the tag index, the Caffeine
 * cache, the concurrent registries, the stats, the volatile transport), because the
 * inbound router reads it on transport threads while actors change it on their lanes.
 */
final class NodeContext {

  /** The cipher suite of every group the node creates. */
  static final CipherSuite SUITE = CipherSuite.X25519_AES128GCM_SHA256_ED25519;
  /** Ids of messages remembered as handled, beyond which the store's uniqueness decides. */
  static final int DEDUP_CACHE_SIZE = 100_000;

  /** The label of one (group, epoch) key set in the tag index. */
  record EpochLabel(Id group, long epoch) {}

  final NodeConfig config;
  final Storage storage;
  final IdentityKey identity;
  final InboxKey inbox;
  final PeerId self;
  final KeyPair signatureKeys;
  final MlsConfig mls;
  final Padding padding;
  final Scheduler scheduler;
  final Executor workers;
  final StepRunner steps;
  final EventBus bus = new EventBus();
  final TagIndex<EpochLabel> tags = new TagIndex<>();
  /** Space actors by space id. */
  final Map<Id, SpaceActor> spaces = new ConcurrentHashMap<>();
  /** Space actors by the id of each group (control or channel) they hold. */
  final Map<Id, SpaceActor> groupOwners = new ConcurrentHashMap<>();
  /** Ids of messages and direct envelopes already handled; upkeep on the calling thread. */
  final Cache<MessageId, Boolean> seen =
      Caffeine.newBuilder().maximumSize(DEDUP_CACHE_SIZE).executor(Runnable::run).build();
  final NodeStats stats;
  final CommitPolicy policy = CommitPolicy.roles();
  /** How long a group stays quiet before its refreshers refresh their paths; zero: never. */
  volatile java.time.Duration pathRefreshQuiet = PathRefresh.DEFAULT_QUIET;
  private volatile Transport transport;

  NodeContext(NodeConfig config, Storage storage, IdentityKey identity, InboxKey inbox,
      MlsConfig mls, Padding padding, Scheduler scheduler, Executor workers, StepRunner steps,
      NodeStats stats) {
    this.stats = stats;
    this.config = config;
    this.storage = storage;
    this.identity = identity;
    this.inbox = inbox;
    this.self = identity.peerId();
    this.signatureKeys = new KeyPair(identity.exportSeed().exportSecret(), identity.publicKey());
    this.mls = mls;
    this.padding = padding;
    this.scheduler = scheduler;
    this.workers = workers;
    this.steps = steps;
  }

  /** @return the transport, or null before start, without networking and after close */
  Transport transportOrNull() {
    return transport;
  }

  void transport(Transport t) {
    transport = t;
  }

  Instant now() {
    return config.clock().instant();
  }

  /**
   * Counts an inbound envelope dropped as bad, unexpected or duplicate, logs it rate-limited and
   * tells the event listener.
   *
   * @param reason the category
   * @param why a fixed phrase for the debug log, never content
   */
  void drop(DropReason reason, String why) {
    stats.envelopeDropped(reason, why);
  }

  Optional<SpaceActor> space(Id spaceId) {
    return Optional.ofNullable(spaces.get(spaceId));
  }

  Group newGroup(Id groupId) {
    return Group.create(mls, SUITE, groupId.toBytes(), Credential.basic(self.bytes()),
        signatureKeys);
  }

  KeyPackageBundle keyPackage() {
    return KeyPackageBundle.create(mls, SUITE, Credential.basic(self.bytes()), signatureKeys);
  }

  Group joinGroup(byte[] welcomeBytes, KeyPackageBundle kp) throws MlsException {
    Welcome w = TlsReader.decodeExactly(welcomeBytes, MlsMessage::decode).welcome();
    if (w == null) {
      throw new MlsDecodeException("not a Welcome");
    }
    return Group.joinFromWelcome(mls, w, kp, null, id -> null);
  }

  /**
   * Re-encrypts a group envelope of one of this node's epochs for one recipient, so that each copy
   * to each recipient has bytes of its own (issue 16); returns any other envelope unchanged.
   *
   * <p>The nonce is HMAC-SHA256(resealKey, recipient ‖ SHA-256(envelope)) truncated to 16 bytes,
   * with {@code resealKey} derived from the inbox key's secret: unpredictable to outsiders, one
   * per (envelope, recipient), and the same after a restart, so a retry of a copy repeats that
   * copy's bytes (which only its own recipient's links see) and nothing else does.
   */
  byte[] reseal(PeerId recipient, byte[] envelope) {
    return resealer.reseal(recipient, envelope);
  }

  /** Opens and hashes each envelope once for all its copies (issue 15). */
  private final Resealer resealer = new Resealer(tags, () -> {
    try {
      return resealKey();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  });

  private volatile byte[] resealKey;

  private byte[] resealKey() throws java.security.GeneralSecurityException {
    byte[] k = resealKey;
    if (k == null) {
      byte[] secret = inbox.exportPrivate().exportSecret();
      try {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(secret, "HmacSHA256"));
        k = mac.doFinal("spacepanda/reseal/v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        resealKey = k;
      } finally {
        Arrays.fill(secret, (byte) 0);
      }
    }
    return k;
  }

  Id randomId() {
    byte[] b = new byte[16];
    config.random().nextBytes(b);
    return Id.of(b);
  }

  /** Decodes a KeyPackage and checks that it belongs to the claimed peer (credential and key). */
  static KeyPackage keyPackageOf(byte[] bytes, PeerId claimed) throws MlsException {
    KeyPackage kp = TlsReader.decodeExactly(bytes, MlsMessage::decode).keyPackage();
    if (kp == null) {
      throw new MlsDecodeException("not a KeyPackage");
    }
    byte[] identity = kp.leafNode().credential().identity();
    PeerId fromKey = PeerId.fromPublicKey(kp.leafNode().signatureKey());
    if (identity == null || !Arrays.equals(identity, claimed.bytes()) || !fromKey.equals(claimed)) {
      throw new MlsDecodeException("KeyPackage of another peer");
    }
    return kp;
  }

  static Id peerKey(PeerId p) {
    return Id.of(p.bytes());
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing", e);
    }
  }
}
