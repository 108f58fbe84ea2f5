package io.spacepanda.internal.mls.group;

import io.spacepanda.internal.mls.MlsConstants;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.crypto.KeyPair;
import io.spacepanda.internal.mls.message.Capabilities;
import io.spacepanda.internal.mls.message.Credential;
import java.util.Arrays;
import java.util.List;

/**
 * What this engine supports, as advertised in the Capabilities of its leaves (RFC 9420 §7.2).
 *
 * <p>All seven suites of RFC 9420 §17.1, the default extensions and proposals (which need not be
 * listed), and basic credentials.
 */
final class GroupSupport {

  /** Extension types 1..5 are the RFC 9420 default extensions (§7.2: need not be listed). */
  static final int MAX_DEFAULT_EXTENSION = 5;
  /** Proposal types 1..7 are the RFC 9420 default proposals (§7.2: need not be listed). */
  static final int MAX_DEFAULT_PROPOSAL = 7;

  private GroupSupport() {}

  static Capabilities capabilities() {
    return new Capabilities(List.of(MlsConstants.PROTOCOL_VERSION_MLS10),
        List.of(1, 2, 3, 4, 5, 6, 7), List.of(), List.of(), List.of(Credential.BASIC));
  }

  static void checkSignatureKeyPair(CipherSuite suite, KeyPair pair) {
    byte[] derived;
    try {
      derived = suite.signaturePublicKey(pair.privateKey());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("signature key pair does not belong to suite " + suite.id());
    }
    if (!Arrays.equals(derived, pair.publicKey())) {
      throw new IllegalArgumentException("signature key pair does not belong to suite " + suite.id());
    }
  }
}
