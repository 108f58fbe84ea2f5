package io.spacepanda.internal.node;

import io.spacepanda.PeerId;
import io.spacepanda.internal.crypto.IdentityKey;
import io.spacepanda.spi.Transport;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What members publish in the DHT to meet each other, without telling the DHT who is in which
 * space (issue 12 item 5), and the DHT as the last mailbox (item 8).
 *
 * <p>Keys. Every value is published under {@code /sp/rv/<tag>}, where the 32-byte tag and the
 * AES-256-GCM key sealing the value are HMAC-SHA256 outputs keyed by {@code
 * MLS-Exporter("spacepanda rendezvous", purpose ‖ window, 32)} of the space's control group
 * (RFC 9420 §8.5): only members of the current epoch can compute them, and they change with every
 * epoch and every time window ({@link #WINDOW} for contacts, {@link #MAILBOX_WINDOW} for parked
 * envelopes). Like the IPFS double-hashing proposal, the key the DHT sees is a one-way function of
 * what members look for, and like its encrypted provider records, the value is sealed under a key
 * derived from a secret the DHT nodes lack; unlike it, even the looked-for identifier (the space,
 * the member) never reaches the DHT, since the secret is the group's.
 *
 * <ul>
 *   <li>Contact: tag {@code HMAC(s, "tag" ‖ peer)}, sealed: the member's addresses signed with its
 *       identity key (so a member who opens it checks the addresses are the peer's own). Published
 *       at start, every half window, and when the control group's epoch changes; looked up by a
 *       member whose dials and peer routing to that peer failed ({@link Reconnector}).
 *   <li>Parked envelope: when no member mailbox is reachable for an unreachable recipient, the
 *       sealed envelope goes into the first free of {@link #SLOTS} slots {@code HMAC(s, "mbox" ‖
 *       recipient ‖ i)}, for {@link #PARK_LIFETIME}, at most {@link #MAX_PARKED_BYTES}; the
 *       recipient looks in its slots of this and the previous mailbox window at start and every
 *       {@link #FETCH_EVERY}, hands what it finds to its inbound router (duplicates are dropped
 *       there) and overwrites the slot with an empty sealed value that frees it.
 * </ul>
 *
 * <p>What the DHT still sees: that some 32-byte keys are written and read, when, by which
 * connection, and value sizes (contacts vary with address count; parked envelopes are padded like
 * every envelope). A member's contact tag is stable within a window and epoch, so the nodes
 * storing it can count lookups of it during that window. Limits: a member that missed an epoch
 * change derives other keys than its peers until it catches up; two envelopes parked into the
 * same free slot at once keep only one (the sender's outbox keeps retrying its copy anyway).
 */
final class Rendezvous {

  private static final Logger LOG = LoggerFactory.getLogger(Rendezvous.class);

  /** The MLS exporter label. */
  static final String LABEL = "spacepanda rendezvous";
  /** Contact keys change at least this often. */
  static final Duration WINDOW = Duration.ofHours(1);
  /** Parked-envelope keys change this often. */
  static final Duration MAILBOX_WINDOW = Duration.ofHours(24);
  /** How long a parked envelope lives in the DHT. */
  static final Duration PARK_LIFETIME = Duration.ofHours(24);
  /** Slots per recipient and mailbox window. */
  static final int SLOTS = 8;
  /** The largest envelope parked in the DHT. */
  static final int MAX_PARKED_BYTES = 6 * 1024;
  /** How often a node looks for envelopes parked for it. */
  static final Duration FETCH_EVERY = Duration.ofMinutes(10);

  private static final int NONCE = 12;

  private final NodeContext ctx;
  private final PeerDirectory directory;
  private final BiFunction<PeerId, byte[], CompletableFuture<Void>> inbound;
  /** Fetch ticks between two publications of the contacts (half a window). */
  private static final int PUBLISH_TICKS = (int) (WINDOW.toMillis() / 2 / FETCH_EVERY.toMillis());
  private volatile boolean closed;
  private int ticks; // on the scheduler only
  private volatile io.spacepanda.spi.Scheduler.Cancellable timer;

  Rendezvous(NodeContext ctx, PeerDirectory directory,
      BiFunction<PeerId, byte[], CompletableFuture<Void>> inbound) {
    this.ctx = ctx;
    this.directory = directory;
    this.inbound = inbound;
  }

  // ---------------------------------------------------------------- keys and seals

  /** The secret of one purpose and window in a group's current epoch; on the actor's lane. */
  static byte[] secret(io.spacepanda.internal.mls.group.Group g, String purpose, long window) {
    byte[] p = purpose.getBytes(StandardCharsets.US_ASCII);
    byte[] context = ByteBuffer.allocate(p.length + 8).put(p).putLong(window).array();
    return g.exporter(LABEL, context, 32);
  }

  static byte[] hmac(byte[] key, String label, byte[]... parts) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update(label.getBytes(StandardCharsets.US_ASCII));
      for (byte[] part : parts) {
        mac.update(part);
      }
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 missing", e);
    }
  }

  /** {@code expiry(8) ‖ nonce(12) ‖ AES-256-GCM(key, plaintext, aad = tag ‖ expiry)}. */
  static byte[] seal(byte[] key, byte[] tag, long expiryMillis, byte[] plaintext,
      java.util.Random random) {
    try {
      byte[] nonce = new byte[NONCE];
      random.nextBytes(nonce);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
      byte[] head = ByteBuffer.allocate(8).putLong(expiryMillis).array();
      c.updateAAD(tag);
      c.updateAAD(head);
      byte[] ct = c.doFinal(plaintext);
      return ByteBuffer.allocate(8 + NONCE + ct.length).put(head).put(nonce).put(ct).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM missing", e);
    }
  }

  /** Opens a sealed value; empty when it does not open under this key and tag. */
  static Optional<byte[]> open(byte[] key, byte[] tag, byte[] value) {
    if (value.length < 8 + NONCE + 16) {
      return Optional.empty();
    }
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"),
          new GCMParameterSpec(128, value, 8, NONCE));
      c.updateAAD(tag);
      c.updateAAD(value, 0, 8);
      return Optional.of(c.doFinal(value, 8 + NONCE, value.length - 8 - NONCE));
    } catch (GeneralSecurityException e) {
      return Optional.empty();
    }
  }

  private long window(Duration w) {
    return ctx.now().toEpochMilli() / w.toMillis();
  }

  // ---------------------------------------------------------------- contacts

  /** Contact plaintext: u8 n, n × (u16 len, UTF-8 address), u16 len, Ed25519 signature. */
  private byte[] contact(byte[] tag, List<String> addresses) {
    ByteBuffer body = ByteBuffer.allocate(2048);
    int n = 0;
    body.put((byte) 0);
    for (String a : addresses) {
      byte[] b = a.getBytes(StandardCharsets.UTF_8);
      if (n == 8 || body.remaining() < b.length + 2 + 80) {
        break;
      }
      body.putShort((short) b.length).put(b);
      n++;
    }
    body.put(0, (byte) n);
    byte[] signed = Arrays.copyOf(body.array(), body.position());
    byte[] sig = ctx.identity.sign(signedContent(tag, signed));
    return ByteBuffer.allocate(signed.length + 2 + sig.length).put(signed)
        .putShort((short) sig.length).put(sig).array();
  }

  private static byte[] signedContent(byte[] tag, byte[] body) {
    byte[] d = "spacepanda-rendezvous-contact-v1".getBytes(StandardCharsets.US_ASCII);
    return ByteBuffer.allocate(d.length + tag.length + body.length).put(d).put(tag).put(body)
        .array();
  }

  /** Reads and verifies a contact of {@code peer}; null when malformed or not signed by it. */
  static List<String> readContact(PeerId peer, byte[] tag, byte[] plain) {
    try {
      ByteBuffer in = ByteBuffer.wrap(plain);
      int n = in.get() & 0xFF;
      if (n > 8) {
        return null;
      }
      List<String> out = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int len = in.getShort() & 0xFFFF;
        if (len > 512) {
          return null;
        }
        byte[] b = new byte[len];
        in.get(b);
        out.add(new String(b, StandardCharsets.UTF_8));
      }
      byte[] body = Arrays.copyOf(plain, in.position());
      int sl = in.getShort() & 0xFFFF;
      if (sl != in.remaining() || sl > 128) {
        return null;
      }
      byte[] sig = new byte[sl];
      in.get(sig);
      return IdentityKey.verify(peer, signedContent(tag, body), sig) ? out : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * Publishes this node's contact in every space now and every half window, and looks for parked
   * envelopes now and every {@link #FETCH_EVERY}, until closed.
   */
  void start() {
    publishAll();
    fetchParked();
    schedule();
    ctx.bus.subscribe(e -> {
      if (e instanceof EventBus.EpochChanged ec && !closed) {
        SpaceActor a = ctx.groupOwners.get(ec.group());
        if (a != null && a.spaceId.equals(ec.group())) {
          publish(a);
        }
      }
    });
  }

  private void schedule() {
    if (closed) {
      return;
    }
    try {
      timer = ctx.scheduler.schedule(FETCH_EVERY, () -> {
        fetchParked();
        if (++ticks % PUBLISH_TICKS == 0) {
          publishAll();
        }
        schedule();
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      closed = true;
    }
  }

  void close() {
    closed = true;
    io.spacepanda.spi.Scheduler.Cancellable t = timer;
    if (t != null) {
      t.cancel();
    }
  }

  void publishAll() {
    for (SpaceActor a : ctx.spaces.values()) {
      publish(a);
    }
  }

  /** Publishes this node's contact in one space for the current window. */
  void publish(SpaceActor a) {
    Transport t = ctx.transportOrNull();
    List<String> addrs = directory.listenAddresses();
    if (t == null || closed || addrs.isEmpty()) {
      return;
    }
    long w = window(WINDOW);
    long expiry = (w + 2) * WINDOW.toMillis(); // also found with the previous window's key
    a.step(s -> {
      if (!a.present) {
        return null;
      }
      byte[] secret = secret(a.control.group(), "contact", w);
      byte[] tag = Arrays.copyOf(hmac(secret, "tag", ctx.self.bytes()), 32);
      byte[] key = hmac(secret, "key", ctx.self.bytes());
      return new byte[][] {tag, seal(key, tag, expiry, contact(tag, addrs), ctx.config.random())};
    }).thenCompose(tv -> tv == null ? CompletableFuture.completedFuture(false)
        : t.putRendezvous(tv[0], tv[1])).exceptionally(e -> {
          LOG.debug("publishing a rendezvous contact failed: {}", e.toString());
          return false;
        });
  }

  /**
   * Looks a member up under its contact keys of this and the previous window, in every space
   * shared with it; hands the addresses found to the transport.
   *
   * @param peer the member
   * @return completes with whether addresses were found; never fails
   */
  CompletableFuture<Boolean> lookup(PeerId peer) {
    Transport t = ctx.transportOrNull();
    if (t == null || closed) {
      return CompletableFuture.completedFuture(false);
    }
    long w = window(WINDOW);
    List<CompletableFuture<Boolean>> all = new ArrayList<>();
    for (SpaceActor a : ctx.spaces.values()) {
      SpaceSnapshot snap = a.snapshot();
      if (snap == null || !snap.members().contains(peer)) {
        continue;
      }
      all.add(a.step(s -> {
        List<byte[][]> keys = new ArrayList<>();
        for (long x = w; x >= w - 1 && a.present; x--) {
          byte[] secret = secret(a.control.group(), "contact", x);
          keys.add(new byte[][] {Arrays.copyOf(hmac(secret, "tag", peer.bytes()), 32),
              hmac(secret, "key", peer.bytes())});
        }
        return keys;
      }).thenCompose(keys -> {
        List<CompletableFuture<Boolean>> gets = new ArrayList<>();
        for (byte[][] k : keys) {
          gets.add(t.getRendezvous(k[0]).thenApply(v -> {
            List<String> addrs = v.flatMap(bytes -> open(k[1], k[0], bytes))
                .map(p -> readContact(peer, k[0], p)).orElse(null);
            if (addrs == null || addrs.isEmpty()) {
              return false;
            }
            directory.learn(peer, addrs);
            return true;
          }));
        }
        return CompletableFuture.allOf(gets.toArray(new CompletableFuture<?>[0]))
            .thenApply(x -> gets.stream().anyMatch(CompletableFuture::join));
      }).exceptionally(e -> false));
    }
    return CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0]))
        .thenApply(x -> all.stream().anyMatch(CompletableFuture::join));
  }

  // ---------------------------------------------------------------- the last mailbox

  private static byte[][] slotKeys(byte[] secret, PeerId recipient, int slot) {
    byte[] i = {(byte) slot};
    return new byte[][] {Arrays.copyOf(hmac(secret, "mbox", recipient.bytes(), i), 32),
        hmac(secret, "mbox-key", recipient.bytes(), i)};
  }

  /**
   * Parks a sealed envelope for an unreachable recipient in the DHT, because no member mailbox is
   * reachable; runs in a step of the space (the keys are derived here), the DHT work after it.
   *
   * @param a the space
   * @param recipient the member
   * @param envelope the sealed envelope
   */
  void park(SpaceActor a, PeerId recipient, byte[] envelope) {
    Transport t = ctx.transportOrNull();
    if (t == null || closed || envelope.length > MAX_PARKED_BYTES || !a.present) {
      return;
    }
    byte[] secret = secret(a.control.group(), "mailbox", window(MAILBOX_WINDOW));
    long expiry = ctx.now().plus(PARK_LIFETIME).toEpochMilli();
    tryPark(t, secret, recipient, envelope, expiry, 0);
  }

  private void tryPark(Transport t, byte[] secret, PeerId recipient, byte[] envelope, long expiry,
      int slot) {
    if (slot == SLOTS) {
      LOG.debug("every DHT mailbox slot of {} is taken", recipient);
      return;
    }
    byte[][] k = slotKeys(secret, recipient, slot);
    t.getRendezvous(k[0]).thenAccept(v -> {
      boolean free = v.isEmpty() || open(k[1], k[0], v.get()).map(p -> p.length == 0).orElse(false);
      if (!free) {
        tryPark(t, secret, recipient, envelope, expiry, slot + 1);
        return;
      }
      t.putRendezvous(k[0], seal(k[1], k[0], expiry, envelope, ctx.config.random()))
          .thenAccept(ok -> LOG.debug("parked an envelope for {} in the DHT: {}", recipient, ok));
    });
  }

  /** Looks in this node's slots of this and the previous mailbox window, in every space. */
  void fetchParked() {
    Transport t = ctx.transportOrNull();
    if (t == null || closed) {
      return;
    }
    long w = window(MAILBOX_WINDOW);
    for (SpaceActor a : ctx.spaces.values()) {
      a.step(s -> {
        List<byte[][]> keys = new ArrayList<>();
        for (long x = w; x >= w - 1 && a.present; x--) {
          byte[] secret = secret(a.control.group(), "mailbox", x);
          for (int i = 0; i < SLOTS; i++) {
            keys.add(slotKeys(secret, ctx.self, i));
          }
        }
        return keys;
      }).thenAccept(keys -> {
        for (byte[][] k : keys) {
          t.getRendezvous(k[0]).thenAccept(v -> {
            Optional<byte[]> env = v.flatMap(bytes -> open(k[1], k[0], bytes));
            if (env.isEmpty() || env.get().length == 0) {
              return;
            }
            long expiry = ctx.now().plus(PARK_LIFETIME).toEpochMilli();
            inbound.apply(ctx.self, env.get()).whenComplete((x, e) -> {
              if (e == null) { // free the slot: an empty sealed value with a later expiry wins
                t.putRendezvous(k[0], seal(k[1], k[0], expiry, new byte[0], ctx.config.random()));
              }
            });
          });
        }
      }).exceptionally(e -> {
        LOG.debug("fetching parked envelopes failed: {}", e.toString());
        return null;
      });
    }
  }
}
