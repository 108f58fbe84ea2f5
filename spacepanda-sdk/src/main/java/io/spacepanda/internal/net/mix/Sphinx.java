package io.spacepanda.internal.net.mix;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * Sphinx packets (Danezis and Goldberg, "Sphinx: A Compact and Provably Secure Mix Format", 2009)
 * in the parameters of the libp2p mix specification ({@code /mix/1.0.0}, vac RFC LIBP2P-MIX):
 * building, processing at a mix, and single-use reply blocks.
 *
 * <p>Parameters and primitives (spec §3, §4.1): κ = 16 bytes; at most r = 5 hops; t = 3, so a
 * routing entry is tκ = 48 bytes (a 46-byte address field and a 2-byte delay in milliseconds);
 * group X25519 (RFC 7748); H = SHA-256; KDF(label ‖ s) = SHA-256(label ‖ s) truncated to 16
 * bytes, and likewise every IV; AES-128-CTR; HMAC-SHA-256 truncated to 16 bytes. Every packet is
 * {@value #PACKET_LENGTH} bytes, the spec's fixed size:
 *
 * <pre>
 * packet = α(32) ‖ β(320) ‖ γ(16) ‖ δ(2045)
 * β      = r blocks of 64 bytes; the block a hop decrypts first is
 *          routing(48) = flag(1) ‖ len(1) ‖ value(len ≤ 44) ‖ zeros ‖ delay(2, ms, big-endian)
 *          followed by γ of the next hop (16)
 * flag   = 1 forward to the peer whose address is value, after delay
 *          2 deliver the payload here          3 a reply for the reply block whose id is value
 *          4 drop (cover traffic)              5 a loop of this node's own, id in value
 * δ at the last hop = mac(16) ‖ len(2) ‖ message ‖ zeros;  mac = HMAC(KDF("δ_mac_key" ‖ s), rest)
 * </pre>
 *
 * <p>Departures from the spec text, each for a stated reason: β is r(t+1)κ = 320 bytes, so that
 * every hop shifts β by exactly one block (the spec's (2r+t)κ mixes the original paper's 2κ
 * shift with its tκ routing entry); the last hop is told by a flag rather than by a zero prefix,
 * and the padding after the last routing entry is random rather than zero, so the last hop does
 * not learn the path length; δ carries a 16-byte MAC instead of 16 zero bytes, so that any change
 * to the payload on the way (a tagging attack on the malleable AES-CTR layers) makes the last hop
 * drop the packet; there is no proof of work. The last hop is the recipient itself, so the whole
 * path carries packets of one size.
 *
 * <p>Key blinding: α<sub>i+1</sub> = X25519(b<sub>i</sub>, α<sub>i</sub>) with b<sub>i</sub> =
 * H(α<sub>i</sub> ‖ s<sub>i</sub>); X25519 clamps every scalar, which the sender mirrors, so
 * s<sub>i</sub> = X25519(b<sub>i−1</sub>, … X25519(b<sub>0</sub>, X25519(x, y<sub>i</sub>))).
 *
 * <p>Stateless and thread-safe; {@link MixKeyRing} holds a mix node's keys and replay tags.
 */
public final class Sphinx {

  /** The libp2p protocol id of mix packets. */
  public static final String PROTOCOL_ID = "/mix/1.0.0";
  /** Security parameter κ in bytes. */
  public static final int KAPPA = 16;
  /** Maximum number of hops r, the recipient included. */
  public static final int MAX_HOPS = 5;
  /** Bytes of a routing entry: tκ with t = 3. */
  public static final int ROUTING_LENGTH = 3 * KAPPA;
  /** Longest address a routing entry holds (a 38-byte Ed25519 peer id fits). */
  public static final int MAX_ADDRESS = ROUTING_LENGTH - 4;
  /** Bytes one hop consumes of β: its routing entry and the next hop's γ. */
  public static final int BLOCK = ROUTING_LENGTH + KAPPA;
  /** Bytes of α, an X25519 public key. */
  public static final int ALPHA_LENGTH = 32;
  /** Bytes of β. */
  public static final int BETA_LENGTH = MAX_HOPS * BLOCK;
  /** Bytes of the header α ‖ β ‖ γ. */
  public static final int HEADER_LENGTH = ALPHA_LENGTH + BETA_LENGTH + KAPPA;
  /** Bytes of every packet on the wire. */
  public static final int PACKET_LENGTH = 2413;
  /** Bytes of δ. */
  public static final int PAYLOAD_LENGTH = PACKET_LENGTH - HEADER_LENGTH;
  /** Longest message one packet carries. */
  public static final int MAX_MESSAGE = PAYLOAD_LENGTH - KAPPA - 2;
  /** Longest delay a routing entry holds, in milliseconds. */
  public static final int MAX_DELAY_MILLIS = 0xffff;
  /** Bytes of a reply block id and of a loop id. */
  public static final int ID_LENGTH = 16;

  static final int FORWARD = 1;
  static final int DELIVER = 2;
  static final int REPLY = 3;
  static final int DROP = 4;
  static final int LOOP = 5;

  private static final int BETA_OFFSET = ALPHA_LENGTH;
  private static final int GAMMA_OFFSET = ALPHA_LENGTH + BETA_LENGTH;
  private static final int DELTA_OFFSET = HEADER_LENGTH;

  private static final byte[] BETA_KEY = ascii("β_aes_key");
  private static final byte[] BETA_IV = ascii("β_iv");
  private static final byte[] MAC_KEY = ascii("mac_key");
  private static final byte[] DELTA_KEY = ascii("δ_aes_key");
  private static final byte[] DELTA_IV = ascii("δ_iv");
  private static final byte[] DELTA_MAC_KEY = ascii("δ_mac_key");
  private static final byte[] SURB_MAC_KEY = ascii("surb_mac_key");
  private static final byte[] SURB_IV = ascii("surb_iv");

  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  });
  private static final ThreadLocal<Mac> HMAC = ThreadLocal.withInitial(() -> {
    try {
      return Mac.getInstance("HmacSHA256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  });
  private static final ThreadLocal<Cipher> AES_CTR = ThreadLocal.withInitial(() -> {
    try {
      return Cipher.getInstance("AES/CTR/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  });

  private Sphinx() {}

  // ---------------------------------------------------------------------------------------------
  // Types

  /**
   * One mix on a path.
   *
   * @param address how the previous hop reaches it (a peer id's bytes), at most {@value
   *     #MAX_ADDRESS} bytes
   * @param publicKey its current 32-byte X25519 mix key
   */
  public record Hop(byte[] address, byte[] publicKey) {
    /** Checks the sizes. */
    public Hop {
      Objects.requireNonNull(address, "address");
      Objects.requireNonNull(publicKey, "publicKey");
      if (address.length > MAX_ADDRESS) {
        throw new IllegalArgumentException("address longer than " + MAX_ADDRESS + " bytes");
      }
      if (publicKey.length != X25519.POINT_SIZE) {
        throw new IllegalArgumentException("mix key must be 32 bytes");
      }
    }
  }

  /** What the last hop does with a packet. */
  public enum Kind {
    /** Hand the message to the application. */
    DELIVER,
    /** A reply to one of the last hop's own reply blocks. */
    REPLY,
    /** Cover traffic: discard. */
    DROP,
    /** Cover traffic that returns to its sender. */
    LOOP
  }

  /**
   * The result of processing one packet at a mix.
   */
  public sealed interface Processed permits Forward, Delivered, ReplyArrived, Dropped,
      LoopReturned {}

  /**
   * Send {@code packet} to {@code next} after {@code delayMillis}.
   *
   * @param next the next hop's address
   * @param delayMillis the delay the sender chose for this hop
   * @param packet the re-encrypted packet, {@value #PACKET_LENGTH} bytes
   */
  public record Forward(byte[] next, int delayMillis, byte[] packet) implements Processed {}

  /**
   * The packet was for this node.
   *
   * @param message the message
   */
  public record Delivered(byte[] message) implements Processed {}

  /**
   * A reply to one of this node's reply blocks; open it with {@link #openReply}.
   *
   * @param surbId the reply block's id
   * @param payload the payload as it arrived, with this hop's layer applied like every hop's
   */
  public record ReplyArrived(byte[] surbId, byte[] payload) implements Processed {}

  /** A drop cover packet reached its last hop. */
  public record Dropped() implements Processed {}

  /**
   * One of this node's loop cover packets came back.
   *
   * @param loopId the id the node put in it
   */
  public record LoopReturned(byte[] loopId) implements Processed {}

  /**
   * A single-use reply block as its creator hands it to the replier: the first hop's address, a
   * ready header, and the key the replier encrypts its payload with.
   *
   * @param firstHop address of the first hop of the return path
   * @param header α ‖ β ‖ γ, {@value #HEADER_LENGTH} bytes
   * @param payloadKey 16-byte key for the reply's payload
   */
  public record Surb(byte[] firstHop, byte[] header, byte[] payloadKey) {

    /** Bytes of an encoded reply block with the longest address. */
    public static final int MAX_ENCODED_LENGTH = 1 + MAX_ADDRESS + HEADER_LENGTH + KAPPA;

    /**
     * Encodes as {@code len(1) ‖ firstHop ‖ header ‖ payloadKey}.
     *
     * @return the bytes
     */
    public byte[] encode() {
      byte[] out = new byte[1 + firstHop.length + HEADER_LENGTH + KAPPA];
      out[0] = (byte) firstHop.length;
      System.arraycopy(firstHop, 0, out, 1, firstHop.length);
      System.arraycopy(header, 0, out, 1 + firstHop.length, HEADER_LENGTH);
      System.arraycopy(payloadKey, 0, out, 1 + firstHop.length + HEADER_LENGTH, KAPPA);
      return out;
    }

    /**
     * Decodes {@link #encode()}'s output (bounded: at most {@link #MAX_ENCODED_LENGTH} bytes).
     *
     * @param b the bytes
     * @return the reply block
     * @throws MixException MALFORMED if the length or address length is wrong
     */
    public static Surb decode(byte[] b) throws MixException {
      if (b.length < 1 + HEADER_LENGTH + KAPPA || b.length > MAX_ENCODED_LENGTH) {
        throw new MixException(MixException.Reason.MALFORMED);
      }
      int n = b[0] & 0xff;
      if (n > MAX_ADDRESS || b.length != 1 + n + HEADER_LENGTH + KAPPA) {
        throw new MixException(MixException.Reason.MALFORMED);
      }
      return new Surb(Arrays.copyOfRange(b, 1, 1 + n),
          Arrays.copyOfRange(b, 1 + n, 1 + n + HEADER_LENGTH),
          Arrays.copyOfRange(b, 1 + n + HEADER_LENGTH, b.length));
    }
  }

  /**
   * What the creator of a reply block keeps to read the reply: the layer keys of every hop and
   * the payload key. Use once.
   *
   * @param surbId the id the last routing entry carries
   * @param secrets s<sub>0</sub> … s<sub>L−1</sub>
   * @param payloadKey the key handed to the replier
   */
  public record SurbSecret(byte[] surbId, List<byte[]> secrets, byte[] payloadKey) {}

  /** A reply block and its secret. */
  public record SurbPair(Surb surb, SurbSecret secret) {}

  // ---------------------------------------------------------------------------------------------
  // Building

  /**
   * Builds a packet that delivers {@code message} to the last hop.
   *
   * @param path the hops, the recipient last; 1 to {@value #MAX_HOPS}
   * @param delaysMillis the delay each hop but the last holds the packet, one per hop (the last
   *     is ignored); 0 to {@value #MAX_DELAY_MILLIS}
   * @param kind what the last hop does: {@link Kind#DELIVER}, {@link Kind#DROP} or {@link
   *     Kind#LOOP} (a reply is built with {@link #reply})
   * @param id the loop id for {@link Kind#LOOP} (16 bytes), else null
   * @param message at most {@value #MAX_MESSAGE} bytes
   * @param random fresh randomness
   * @return the packet, {@value #PACKET_LENGTH} bytes
   */
  public static byte[] build(List<Hop> path, int[] delaysMillis, Kind kind, byte[] id,
      byte[] message, SecureRandom random) {
    Objects.requireNonNull(message, "message");
    if (kind == Kind.REPLY) {
      throw new IllegalArgumentException("replies are built with reply()");
    }
    if (message.length > MAX_MESSAGE) {
      throw new IllegalArgumentException("message longer than " + MAX_MESSAGE + " bytes");
    }
    HeaderAndSecrets h = header(path, delaysMillis, finalFlag(kind), id, random);
    byte[] s = h.secrets.get(h.secrets.size() - 1);
    byte[] payload = framePayload(kdf(DELTA_MAC_KEY, s), message, random);
    for (int i = h.secrets.size() - 1; i >= 0; i--) {
      byte[] si = h.secrets.get(i);
      ctr(kdf(DELTA_KEY, si), kdf(DELTA_IV, si), payload, 0, payload.length);
    }
    byte[] packet = Arrays.copyOf(h.header, PACKET_LENGTH);
    System.arraycopy(payload, 0, packet, DELTA_OFFSET, PAYLOAD_LENGTH);
    return packet;
  }

  /**
   * Creates a single-use reply block whose path ends at its creator (the last hop of {@code
   * path}).
   *
   * @param path the return path, the creator last; 1 to {@value #MAX_HOPS} hops
   * @param delaysMillis per-hop delays as for {@link #build}
   * @param random fresh randomness
   * @return the block for the replier and the secret for the creator
   */
  public static SurbPair createSurb(List<Hop> path, int[] delaysMillis, SecureRandom random) {
    byte[] surbId = new byte[ID_LENGTH];
    random.nextBytes(surbId);
    HeaderAndSecrets h = header(path, delaysMillis, REPLY, surbId, random);
    byte[] key = new byte[KAPPA];
    random.nextBytes(key);
    return new SurbPair(new Surb(path.get(0).address().clone(), h.header, key.clone()),
        new SurbSecret(surbId, List.copyOf(h.secrets), key));
  }

  /**
   * Builds the reply packet a replier sends with a reply block: to the block's first hop.
   *
   * @param surb the reply block
   * @param message at most {@value #MAX_MESSAGE} bytes
   * @param random fresh randomness for the padding
   * @return the packet, {@value #PACKET_LENGTH} bytes
   */
  public static byte[] reply(Surb surb, byte[] message, SecureRandom random) {
    if (message.length > MAX_MESSAGE) {
      throw new IllegalArgumentException("message longer than " + MAX_MESSAGE + " bytes");
    }
    byte[] payload = framePayload(kdf(SURB_MAC_KEY, surb.payloadKey()), message, random);
    ctr(surb.payloadKey(), kdf(SURB_IV, surb.payloadKey()), payload, 0, payload.length);
    byte[] packet = Arrays.copyOf(surb.header(), PACKET_LENGTH);
    System.arraycopy(payload, 0, packet, DELTA_OFFSET, PAYLOAD_LENGTH);
    return packet;
  }

  /**
   * Reads a reply at its creator.
   *
   * @param secret what the creator kept for the block
   * @param arrived the processed packet
   * @return the replier's message
   * @throws MixException TAGGED if the payload was modified on the way, MALFORMED if it does not
   *     parse
   */
  public static byte[] openReply(SurbSecret secret, ReplyArrived arrived) throws MixException {
    byte[] payload = arrived.payload().clone();
    if (payload.length != PAYLOAD_LENGTH) {
      throw new MixException(MixException.Reason.MALFORMED);
    }
    List<byte[]> secrets = secret.secrets();
    // every hop, the creator's own included, added its AES-CTR layer: XOR each off again
    for (int i = 0; i < secrets.size(); i++) {
      byte[] si = secrets.get(i);
      ctr(kdf(DELTA_KEY, si), kdf(DELTA_IV, si), payload, 0, payload.length);
    }
    ctr(secret.payloadKey(), kdf(SURB_IV, secret.payloadKey()), payload, 0, payload.length);
    return unframePayload(kdf(SURB_MAC_KEY, secret.payloadKey()), payload);
  }

  private record HeaderAndSecrets(byte[] header, List<byte[]> secrets) {}

  private static int finalFlag(Kind kind) {
    switch (kind) {
      case DELIVER:
        return DELIVER;
      case DROP:
        return DROP;
      case LOOP:
        return LOOP;
      default:
        return REPLY;
    }
  }

  private static HeaderAndSecrets header(List<Hop> path, int[] delays, int flag, byte[] id,
      SecureRandom random) {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(delays, "delaysMillis");
    int hops = path.size();
    if (hops < 1 || hops > MAX_HOPS) {
      throw new IllegalArgumentException("a path has 1 to " + MAX_HOPS + " hops: " + hops);
    }
    if (delays.length != hops) {
      throw new IllegalArgumentException("one delay per hop");
    }
    if ((flag == LOOP || flag == REPLY) && (id == null || id.length != ID_LENGTH)) {
      throw new IllegalArgumentException("loops and replies carry a 16-byte id");
    }
    // alphas and shared secrets (spec §5.1 step 5a), mirroring X25519's clamping
    byte[] x = new byte[X25519.SCALAR_SIZE];
    List<byte[]> secrets = new ArrayList<>(hops);
    List<byte[]> blinds = new ArrayList<>(hops);
    random.nextBytes(x);
    byte[] alpha0 = new byte[ALPHA_LENGTH];
    X25519.scalarMultBase(x, 0, alpha0, 0);
    byte[] alpha = alpha0;
    for (int i = 0; i < hops; i++) {
      byte[] s = dh(x, path.get(i).publicKey());
      for (int j = 0; j < blinds.size() && s != null; j++) {
        s = dh(blinds.get(j), s);
      }
      if (s == null) {
        // a low-order mix key: never for an honest key
        throw new IllegalArgumentException("the mix key of hop " + i + " is not usable");
      }
      secrets.add(s);
      byte[] b = sha256(alpha, s);
      blinds.add(b);
      alpha = dh(b, alpha);
    }
    // filler strings (spec §5.1 step 5b, with a shift of one BLOCK per hop)
    byte[] filler = new byte[0];
    for (int i = 0; i < hops - 1; i++) {
      byte[] s = secrets.get(i);
      byte[] stream = keystream(kdf(BETA_KEY, s), kdf(BETA_IV, s), BETA_LENGTH + BLOCK);
      byte[] next = Arrays.copyOf(filler, filler.length + BLOCK);
      int from = BETA_LENGTH - i * BLOCK;
      for (int j = 0; j < next.length; j++) {
        next[j] ^= stream[from + j];
      }
      filler = next;
    }
    // betas and gammas, last hop first (spec §5.1 step 5c)
    byte[] sLast = secrets.get(hops - 1);
    int head = BETA_LENGTH - (hops - 1) * BLOCK;
    byte[] beta = new byte[BETA_LENGTH];
    random.nextBytes(beta);
    beta[0] = (byte) flag;
    byte[] value = id == null ? new byte[0] : id;
    beta[1] = (byte) value.length;
    System.arraycopy(value, 0, beta, 2, value.length);
    Arrays.fill(beta, 2 + value.length, ROUTING_LENGTH, (byte) 0);
    ctr(kdf(BETA_KEY, sLast), kdf(BETA_IV, sLast), beta, 0, head);
    System.arraycopy(filler, 0, beta, head, filler.length);
    byte[] gamma = hmac(kdf(MAC_KEY, sLast), beta, 0, BETA_LENGTH);
    for (int i = hops - 2; i >= 0; i--) {
      byte[] s = secrets.get(i);
      byte[] next = new byte[BETA_LENGTH];
      Hop to = path.get(i + 1);
      next[0] = FORWARD;
      next[1] = (byte) to.address().length;
      System.arraycopy(to.address(), 0, next, 2, to.address().length);
      int d = delays[i];
      if (d < 0 || d > MAX_DELAY_MILLIS) {
        throw new IllegalArgumentException("delay out of range: " + d);
      }
      next[ROUTING_LENGTH - 2] = (byte) (d >>> 8);
      next[ROUTING_LENGTH - 1] = (byte) d;
      System.arraycopy(gamma, 0, next, ROUTING_LENGTH, KAPPA);
      System.arraycopy(beta, 0, next, BLOCK, BETA_LENGTH - BLOCK);
      ctr(kdf(BETA_KEY, s), kdf(BETA_IV, s), next, 0, BETA_LENGTH);
      beta = next;
      gamma = hmac(kdf(MAC_KEY, s), beta, 0, BETA_LENGTH);
    }
    byte[] header = new byte[HEADER_LENGTH];
    System.arraycopy(alpha0, 0, header, 0, ALPHA_LENGTH);
    System.arraycopy(beta, 0, header, BETA_OFFSET, BETA_LENGTH);
    System.arraycopy(gamma, 0, header, GAMMA_OFFSET, KAPPA);
    return new HeaderAndSecrets(header, secrets);
  }

  private static byte[] framePayload(byte[] macKey, byte[] message, SecureRandom random) {
    byte[] p = new byte[PAYLOAD_LENGTH];
    p[KAPPA] = (byte) (message.length >>> 8);
    p[KAPPA + 1] = (byte) message.length;
    System.arraycopy(message, 0, p, KAPPA + 2, message.length);
    byte[] mac = hmac(macKey, p, KAPPA, PAYLOAD_LENGTH - KAPPA);
    System.arraycopy(mac, 0, p, 0, KAPPA);
    return p;
  }

  private static byte[] unframePayload(byte[] macKey, byte[] p) throws MixException {
    byte[] mac = hmac(macKey, p, KAPPA, PAYLOAD_LENGTH - KAPPA);
    if (!MessageDigest.isEqual(mac, Arrays.copyOf(p, KAPPA))) {
      throw new MixException(MixException.Reason.TAGGED);
    }
    int len = ((p[KAPPA] & 0xff) << 8) | (p[KAPPA + 1] & 0xff);
    if (len > MAX_MESSAGE) {
      throw new MixException(MixException.Reason.MALFORMED);
    }
    return Arrays.copyOfRange(p, KAPPA + 2, KAPPA + 2 + len);
  }

  // ---------------------------------------------------------------------------------------------
  // Processing at a mix (spec §5.2, §5.3)

  /**
   * Processes one packet at a mix: at most two X25519 operations and two MAC checks (current and
   * previous key) before a malformed, replayed or foreign packet is dropped.
   *
   * @param keys the mix's keys and replay tags
   * @param packet the received bytes, not modified
   * @return what to do with the packet
   * @throws MixException why the packet is dropped
   */
  public static Processed process(MixKeyRing keys, byte[] packet) throws MixException {
    Objects.requireNonNull(keys, "keys");
    if (packet == null || packet.length != PACKET_LENGTH) {
      throw new MixException(MixException.Reason.MALFORMED);
    }
    byte[] alpha = Arrays.copyOfRange(packet, 0, ALPHA_LENGTH);
    byte[] gamma = Arrays.copyOfRange(packet, GAMMA_OFFSET, GAMMA_OFFSET + KAPPA);
    MixKeyRing.Key used = null;
    byte[] s = null;
    for (MixKeyRing.Key k : keys.candidates()) {
      byte[] shared = dh(k.privateKey, alpha);
      if (shared == null) {
        throw new MixException(MixException.Reason.WEAK_KEY);
      }
      byte[] mac = hmac(kdf(MAC_KEY, shared), packet, BETA_OFFSET, BETA_LENGTH);
      if (MessageDigest.isEqual(mac, gamma)) {
        used = k;
        s = shared;
        break;
      }
    }
    if (used == null) {
      throw new MixException(MixException.Reason.BAD_MAC);
    }
    switch (keys.record(used, Arrays.copyOf(sha256(s), KAPPA))) {
      case REPLAY:
        throw new MixException(MixException.Reason.REPLAY);
      case FULL:
        throw new MixException(MixException.Reason.KEY_EXHAUSTED);
      default:
        break;
    }
    byte[] b = new byte[BETA_LENGTH + BLOCK];
    System.arraycopy(packet, BETA_OFFSET, b, 0, BETA_LENGTH);
    ctr(kdf(BETA_KEY, s), kdf(BETA_IV, s), b, 0, b.length);
    byte[] delta = Arrays.copyOfRange(packet, DELTA_OFFSET, PACKET_LENGTH);
    ctr(kdf(DELTA_KEY, s), kdf(DELTA_IV, s), delta, 0, delta.length);
    int flag = b[0] & 0xff;
    int len = b[1] & 0xff;
    if (len > MAX_ADDRESS) {
      throw new MixException(MixException.Reason.MALFORMED);
    }
    byte[] value = Arrays.copyOfRange(b, 2, 2 + len);
    switch (flag) {
      case FORWARD: {
        int delay = ((b[ROUTING_LENGTH - 2] & 0xff) << 8) | (b[ROUTING_LENGTH - 1] & 0xff);
        byte[] next = new byte[PACKET_LENGTH];
        byte[] alphaNext = dh(sha256(alpha, s), alpha);
        if (alphaNext == null) {
          throw new MixException(MixException.Reason.WEAK_KEY);
        }
        System.arraycopy(alphaNext, 0, next, 0, ALPHA_LENGTH);
        System.arraycopy(b, BLOCK, next, BETA_OFFSET, BETA_LENGTH);
        System.arraycopy(b, ROUTING_LENGTH, next, GAMMA_OFFSET, KAPPA);
        System.arraycopy(delta, 0, next, DELTA_OFFSET, PAYLOAD_LENGTH);
        if (len == 0) {
          throw new MixException(MixException.Reason.MALFORMED);
        }
        return new Forward(value, delay, next);
      }
      case DELIVER:
        return new Delivered(unframePayload(kdf(DELTA_MAC_KEY, s), delta));
      case REPLY:
        if (len != ID_LENGTH) {
          throw new MixException(MixException.Reason.MALFORMED);
        }
        return new ReplyArrived(value, delta);
      case DROP:
        unframePayload(kdf(DELTA_MAC_KEY, s), delta);
        return new Dropped();
      case LOOP:
        if (len != ID_LENGTH) {
          throw new MixException(MixException.Reason.MALFORMED);
        }
        unframePayload(kdf(DELTA_MAC_KEY, s), delta);
        return new LoopReturned(value);
      default:
        throw new MixException(MixException.Reason.MALFORMED);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Primitives

  /** X25519(k, u), or null if the result is zero (a low-order u). */
  static byte[] dh(byte[] k, byte[] u) {
    byte[] r = new byte[X25519.POINT_SIZE];
    X25519.scalarMult(k, 0, u, 0, r, 0);
    int acc = 0;
    for (byte x : r) {
      acc |= x;
    }
    return acc == 0 ? null : r;
  }

  static byte[] sha256(byte[]... parts) {
    MessageDigest d = SHA256.get();
    for (byte[] p : parts) {
      d.update(p);
    }
    return d.digest();
  }

  /** KDF(label ‖ s) = SHA-256(label ‖ s)[0..16]; also every IV (spec §3). */
  static byte[] kdf(byte[] label, byte[] s) {
    return Arrays.copyOf(sha256(label, s), KAPPA);
  }

  static byte[] hmac(byte[] key, byte[] data, int off, int len) {
    Mac m = HMAC.get();
    try {
      m.init(new SecretKeySpec(key, "HmacSHA256"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    m.update(data, off, len);
    return Arrays.copyOf(m.doFinal(), KAPPA);
  }

  /** XORs {@code data[off..off+len]} in place with the AES-128-CTR keystream of (key, iv). */
  static void ctr(byte[] key, byte[] iv, byte[] data, int off, int len) {
    Cipher c = AES_CTR.get();
    try {
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
      c.doFinal(data, off, len, data, off);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] keystream(byte[] key, byte[] iv, int len) {
    byte[] z = new byte[len];
    ctr(key, iv, z, 0, len);
    return z;
  }

  static long readLong(byte[] b, int off) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[off + i] & 0xff);
    }
    return v;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
