package io.spacepanda.internal.mls.message;

import io.spacepanda.internal.mls.MlsConstants;
import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsEncodable;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * {@code GroupSecrets} of RFC 9420 §12.4.3.1: what a Welcome encrypts to each new member. Its
 * {@code toString} never shows the secrets.
 *
 * @param joinerSecret the joiner secret
 * @param pathSecret the path secret for the new member's lowest common ancestor, or null
 * @param psks the PSKs of the epoch
 */
public record GroupSecrets(byte[] joinerSecret, byte[] pathSecret, List<PreSharedKeyId> psks)
    implements TlsEncodable {

  /** Checks presence and copies the list. */
  public GroupSecrets {
    Objects.requireNonNull(joinerSecret, "joinerSecret");
    psks = Codec.list(psks, "psks");
  }

  /**
   * Decodes one {@code GroupSecrets} (RFC 9420 §12.4.3.1).
   *
   * @param r the reader
   * @return the value
   * @throws MlsDecodeException if malformed or oversized
   */
  public static GroupSecrets decode(TlsReader r) throws MlsDecodeException {
    byte[] joiner = r.opaque(MlsConstants.MAX_SECRET_SIZE);
    PathSecret path = r.optional(PathSecret::decode);
    return new GroupSecrets(joiner, path == null ? null : path.pathSecret(),
        r.vector(PreSharedKeyId::decode));
  }

  @Override
  public void encode(TlsWriter w) {
    // RFC 9420 §12.4.3.1
    w.opaque(joinerSecret).optional(pathSecret == null ? null : new PathSecret(pathSecret))
        .vector(psks);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GroupSecrets g && Arrays.equals(joinerSecret, g.joinerSecret)
        && Arrays.equals(pathSecret, g.pathSecret) && psks.equals(g.psks);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(joinerSecret), Arrays.hashCode(pathSecret), psks);
  }

  @Override
  public String toString() {
    return "GroupSecrets[joinerSecret=" + Codec.secret(joinerSecret) + ", pathSecret="
        + Codec.secret(pathSecret) + ", psks=" + psks + "]";
  }
}
