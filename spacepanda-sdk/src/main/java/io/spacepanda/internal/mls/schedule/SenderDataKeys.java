package io.spacepanda.internal.mls.schedule;

import io.spacepanda.internal.mls.crypto.CipherSuite;
import java.util.Arrays;

/**
 * The key and nonce that protect a PrivateMessage's SenderData, derived from the epoch's
 * {@code sender_data_secret} and a sample of the content ciphertext (RFC 9420 §6.3.2).
 *
 * <p>The sample is the first {@code KDF.Nh} bytes of the ciphertext, or all of it when it is
 * shorter. Stateless and thread-safe.
 */
public final class SenderDataKeys {

  private SenderDataKeys() {}

  /**
   * Computes {@code sender_data_key} (RFC 9420 §6.3.2).
   *
   * @param suite the group's cipher suite
   * @param senderDataSecret the epoch's sender data secret
   * @param ciphertext the PrivateMessage's content ciphertext
   * @return {@code ExpandWithLabel(sender_data_secret, "key", ciphertext_sample, AEAD.Nk)}
   */
  public static byte[] key(CipherSuite suite, byte[] senderDataSecret, byte[] ciphertext) {
    return suite.expandWithLabel(senderDataSecret, "key", sample(suite, ciphertext),
        suite.aeadKeyLength());
  }

  /**
   * Computes {@code sender_data_nonce} (RFC 9420 §6.3.2).
   *
   * @param suite the group's cipher suite
   * @param senderDataSecret the epoch's sender data secret
   * @param ciphertext the PrivateMessage's content ciphertext
   * @return {@code ExpandWithLabel(sender_data_secret, "nonce", ciphertext_sample, AEAD.Nn)}
   */
  public static byte[] nonce(CipherSuite suite, byte[] senderDataSecret, byte[] ciphertext) {
    return suite.expandWithLabel(senderDataSecret, "nonce", sample(suite, ciphertext),
        suite.aeadNonceLength());
  }

  private static byte[] sample(CipherSuite suite, byte[] ciphertext) {
    int n = suite.hashLength();
    return ciphertext.length <= n ? ciphertext : Arrays.copyOf(ciphertext, n);
  }
}
