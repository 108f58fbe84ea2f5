package io.spacepanda.internal.node;

import io.spacepanda.PeerId;
import io.spacepanda.internal.envelope.EnvelopeException;
import io.spacepanda.internal.envelope.GroupEnvelope;
import io.spacepanda.internal.envelope.TagIndex;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * Re-encrypts a group envelope for each recipient ({@link NodeContext#reseal}), opening and hashing
 * each envelope once however many recipients it goes to (issue 15: it was opened and hashed once
 * per copy).
 *
 * <p>The copy to a recipient is {@code GroupEnvelope.reseal(keys, envelope, nonce)} with {@code
 * nonce = HMAC-SHA256(resealKey, recipient ‖ SHA-256(envelope))[0..16]}: the same bytes for a retry
 * of the same copy, after a restart too. Per envelope, the SHA-256 and the opened body are kept in a
 * small ring of the last {@value #SLOTS} envelopes resealed, found again by comparing the bytes
 * (copies of one message leave within moments of each other; the outbox hands each copy its own
 * array, so identity cannot be used). Only group envelopes of the node's epochs are kept; any
 * other envelope goes on unchanged and is not kept.
 *
 * <p>Thread-safe: the ring is guarded by this object's lock, held only to look up and to insert;
 * the HMAC is per thread.
 */
final class Resealer {

  /** Envelopes whose opened body is kept; each holds one envelope and its padded body. */
  static final int SLOTS = 16;

  private final TagIndex<?> tags;
  private final ThreadLocal<HMac> macs;
  private final Source[] ring = new Source[SLOTS];
  private int next;

  /**
   * @param tags the node's epoch keys
   * @param resealKey supplies the 32-byte reseal key (called once per thread)
   */
  Resealer(TagIndex<?> tags, Supplier<byte[]> resealKey) {
    this.tags = Objects.requireNonNull(tags, "tags");
    Objects.requireNonNull(resealKey, "resealKey");
    this.macs = ThreadLocal.withInitial(() -> {
      HMac mac = new HMac(new SHA256Digest());
      mac.init(new KeyParameter(resealKey.get()));
      return mac;
    });
  }

  /**
   * Returns the recipient's own copy of a group envelope, or the envelope itself if it is not a
   * group envelope of the node's epochs (or does not open).
   *
   * @param recipient the copy's recipient
   * @param envelope the sealed bytes, not modified
   * @return the copy
   */
  byte[] reseal(PeerId recipient, byte[] envelope) {
    Source src = source(envelope);
    if (src == null) {
      return envelope;
    }
    HMac mac = macs.get();
    byte[] to = recipient.bytes();
    mac.update(to, 0, to.length);
    mac.update(src.hash, 0, src.hash.length);
    byte[] full = new byte[mac.getMacSize()];
    mac.doFinal(full, 0);
    return GroupEnvelope.reseal(src.opened, Arrays.copyOf(full, 16));
  }

  private Source source(byte[] envelope) {
    synchronized (this) {
      for (Source s : ring) {
        if (s != null && Arrays.equals(s.envelope, envelope)) {
          return s;
        }
      }
    }
    Optional<GroupEnvelope.Opened> opened;
    try {
      opened = tags.openForReseal(envelope);
    } catch (EnvelopeException e) {
      return null;
    }
    if (opened.isEmpty()) {
      return null;
    }
    Source s = new Source(envelope, NodeContext.sha256(envelope), opened.get());
    synchronized (this) {
      ring[next] = s;
      next = (next + 1) % SLOTS;
    }
    return s;
  }

  /** One envelope, its SHA-256 and its opened body. */
  private record Source(byte[] envelope, byte[] hash, GroupEnvelope.Opened opened) {}
}
