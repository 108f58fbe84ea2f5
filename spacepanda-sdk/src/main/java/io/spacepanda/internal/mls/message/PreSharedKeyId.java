package io.spacepanda.internal.mls.message;

import io.spacepanda.internal.mls.MlsConstants;
import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsEncodable;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import java.util.Arrays;
import java.util.Objects;

/**
 * {@code PreSharedKeyID} of RFC 9420 §8.4: an external PSK id, or a resumption PSK named by group
 * and epoch, with a fresh nonce.
 *
 * <p>External ids have {@code usage} 0, {@code pskGroupId} null and {@code pskEpoch} 0; resumption
 * ids have {@code pskId} null. The constructor enforces this; {@link #external} and
 * {@link #resumption} build either kind.
 *
 * @param pskType 1 external, 2 resumption
 * @param pskId the external PSK id (external only)
 * @param usage 1 application, 2 reinit, 3 branch (resumption only)
 * @param pskGroupId the group of the resumption secret (resumption only)
 * @param pskEpoch the epoch of the resumption secret (resumption only)
 * @param nonce the psk_nonce
 */
public record PreSharedKeyId(int pskType, byte[] pskId, int usage, byte[] pskGroupId,
    long pskEpoch, byte[] nonce) implements TlsEncodable {

  /** {@code PSKType external}. */
  public static final int EXTERNAL = 1;

  /** {@code PSKType resumption}. */
  public static final int RESUMPTION = 2;

  /** {@code ResumptionPSKUsage application}. */
  public static final int USAGE_APPLICATION = 1;

  /** {@code ResumptionPSKUsage reinit}. */
  public static final int USAGE_REINIT = 2;

  /** {@code ResumptionPSKUsage branch}. */
  public static final int USAGE_BRANCH = 3;

  /** Checks that the fields match the PSK type. */
  public PreSharedKeyId {
    Objects.requireNonNull(nonce, "nonce");
    if (pskType == EXTERNAL) {
      Objects.requireNonNull(pskId, "pskId");
      if (usage != 0 || pskGroupId != null || pskEpoch != 0) {
        throw new IllegalArgumentException("external PSK id with resumption fields");
      }
    } else if (pskType == RESUMPTION) {
      Objects.requireNonNull(pskGroupId, "pskGroupId");
      if (pskId != null || usage < USAGE_APPLICATION || usage > USAGE_BRANCH) {
        throw new IllegalArgumentException("resumption PSK id with bad usage or an external id");
      }
    } else {
      throw new IllegalArgumentException("unknown PSK type: " + pskType);
    }
  }

  /**
   * Creates an external PSK id.
   *
   * @param pskId the id
   * @param nonce the nonce
   * @return the value
   */
  public static PreSharedKeyId external(byte[] pskId, byte[] nonce) {
    return new PreSharedKeyId(EXTERNAL, pskId, 0, null, 0, nonce);
  }

  /**
   * Creates a resumption PSK id.
   *
   * @param usage 1 application, 2 reinit, 3 branch
   * @param groupId the group
   * @param epoch the epoch
   * @param nonce the nonce
   * @return the value
   */
  public static PreSharedKeyId resumption(int usage, byte[] groupId, long epoch, byte[] nonce) {
    return new PreSharedKeyId(RESUMPTION, null, usage, groupId, epoch, nonce);
  }

  /**
   * Decodes one {@code PreSharedKeyID} (RFC 9420 §8.4).
   *
   * @param r the reader
   * @return the value
   * @throws MlsDecodeException if malformed, oversized, or of an unknown type or usage
   */
  public static PreSharedKeyId decode(TlsReader r) throws MlsDecodeException {
    int type = r.u8();
    if (type == EXTERNAL) {
      byte[] id = r.opaque(MlsConstants.MAX_PSK_ID_SIZE);
      return external(id, r.opaque(MlsConstants.MAX_SECRET_SIZE));
    } else if (type == RESUMPTION) {
      int usage = r.u8();
      if (usage < USAGE_APPLICATION || usage > USAGE_BRANCH) {
        throw new MlsDecodeException("unknown resumption PSK usage");
      }
      byte[] groupId = r.opaque(MlsConstants.MAX_GROUP_ID_SIZE);
      long epoch = r.u64();
      return resumption(usage, groupId, epoch, r.opaque(MlsConstants.MAX_SECRET_SIZE));
    }
    throw new MlsDecodeException("unknown PSK type");
  }

  @Override
  public void encode(TlsWriter w) {
    // RFC 9420 §8.4
    w.u8(pskType);
    if (pskType == EXTERNAL) {
      w.opaque(pskId);
    } else {
      w.u8(usage).opaque(pskGroupId).u64(pskEpoch);
    }
    w.opaque(nonce);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PreSharedKeyId p && pskType == p.pskType && Arrays.equals(pskId, p.pskId)
        && usage == p.usage && Arrays.equals(pskGroupId, p.pskGroupId) && pskEpoch == p.pskEpoch
        && Arrays.equals(nonce, p.nonce);
  }

  @Override
  public int hashCode() {
    return Objects.hash(pskType, Arrays.hashCode(pskId), usage, Arrays.hashCode(pskGroupId),
        pskEpoch, Arrays.hashCode(nonce));
  }

  @Override
  public String toString() {
    return pskType == EXTERNAL
        ? "PreSharedKeyId[external " + Codec.show(pskId) + "]"
        : "PreSharedKeyId[resumption usage=" + usage + ", group=" + Codec.show(pskGroupId)
            + ", epoch=" + Long.toUnsignedString(pskEpoch) + "]";
  }
}
