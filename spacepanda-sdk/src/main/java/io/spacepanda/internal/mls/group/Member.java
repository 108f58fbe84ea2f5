package io.spacepanda.internal.mls.group;

import io.spacepanda.internal.mls.message.Credential;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One member of a group: its leaf index, credential and signature public key.
 *
 * <p>The signature key array is not copied; treat it as immutable.
 *
 * @param leafIndex the member's leaf index in the ratchet tree
 * @param credential the member's credential
 * @param signatureKey the member's signature public key
 */
public record Member(int leafIndex, Credential credential, byte[] signatureKey) {

  /**
   * Checks the components.
   *
   * @throws NullPointerException if the credential or key is null
   */
  public Member {
    Objects.requireNonNull(credential, "credential");
    Objects.requireNonNull(signatureKey, "signatureKey");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Member m && m.leafIndex == leafIndex && m.credential.equals(credential)
        && Arrays.equals(m.signatureKey, signatureKey);
  }

  @Override
  public int hashCode() {
    return 31 * leafIndex + Arrays.hashCode(signatureKey);
  }

  @Override
  public String toString() {
    return "Member[leaf=" + leafIndex + ", signatureKey=" + HexFormat.of().formatHex(signatureKey)
        + "]";
  }
}
