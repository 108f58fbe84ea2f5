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
 * {@code LeafNode} of RFC 9420 §7.2: a member's keys, credential, capabilities and signature.
 *
 * <p>The source decides the optional fields: a {@code lifetime} only for {@link
 * LeafNodeSource#KEY_PACKAGE}, a {@code parent_hash} only for {@link LeafNodeSource#COMMIT}; the
 * constructor enforces this. The signature is not checked here (see {@link #toBeSigned}).
 *
 * @param encryptionKey HPKE public key
 * @param signatureKey signature public key
 * @param credential the member's credential
 * @param capabilities what the member supports
 * @param source why the leaf was created
 * @param lifetime validity window, for key_package only, else null
 * @param parentHash parent hash, for commit only, else null
 * @param extensions leaf extensions
 * @param signature SignWithLabel(., "LeafNodeTBS", LeafNodeTBS); empty before signing
 */
public record LeafNode(byte[] encryptionKey, byte[] signatureKey, Credential credential,
    Capabilities capabilities, LeafNodeSource source, Lifetime lifetime, byte[] parentHash,
    List<Extension> extensions, byte[] signature) implements Node, TlsEncodable {

  /** Checks presence of fields and that the optional ones match the source. */
  public LeafNode {
    Objects.requireNonNull(encryptionKey, "encryptionKey");
    Objects.requireNonNull(signatureKey, "signatureKey");
    Objects.requireNonNull(credential, "credential");
    Objects.requireNonNull(capabilities, "capabilities");
    Objects.requireNonNull(source, "source");
    extensions = Codec.list(extensions, "extensions");
    signature = signature == null ? new byte[0] : signature;
    if ((lifetime != null) != (source == LeafNodeSource.KEY_PACKAGE)) {
      throw new IllegalArgumentException("lifetime must be present exactly for key_package");
    }
    if ((parentHash != null) != (source == LeafNodeSource.COMMIT)) {
      throw new IllegalArgumentException("parent hash must be present exactly for commit");
    }
  }

  /**
   * Returns this leaf with another signature.
   *
   * @param newSignature the signature
   * @return a new leaf node
   */
  public LeafNode withSignature(byte[] newSignature) {
    return new LeafNode(encryptionKey, signatureKey, credential, capabilities, source, lifetime,
        parentHash, extensions, Objects.requireNonNull(newSignature, "signature"));
  }

  /**
   * Encodes the {@code LeafNodeTBS} this leaf's signature covers (RFC 9420 §7.2).
   *
   * @param groupId the group id; used only for the update and commit sources
   * @param leafIndex the leaf's index; used only for the update and commit sources
   * @return the encoding to pass to SignWithLabel with label "LeafNodeTBS"
   */
  public byte[] toBeSigned(byte[] groupId, int leafIndex) {
    TlsWriter w = new TlsWriter();
    writeContent(w);
    // RFC 9420 §7.2 LeafNodeTBS: group_id and leaf_index for update and commit
    if (source != LeafNodeSource.KEY_PACKAGE) {
      w.opaque(Objects.requireNonNull(groupId, "groupId")).u32(Codec.checkIndex(leafIndex));
    }
    return w.toByteArray();
  }

  private void writeContent(TlsWriter w) {
    // RFC 9420 §7.2
    w.opaque(encryptionKey).opaque(signatureKey);
    credential.encode(w);
    capabilities.encode(w);
    w.u8(source.value());
    if (source == LeafNodeSource.KEY_PACKAGE) {
      lifetime.encode(w);
    } else if (source == LeafNodeSource.COMMIT) {
      w.opaque(parentHash);
    }
    w.vector(extensions);
  }

  @Override
  public void encode(TlsWriter w) {
    writeContent(w);
    w.opaque(signature);
  }

  /**
   * Decodes one {@code LeafNode} (RFC 9420 §7.2).
   *
   * @param r the reader
   * @return the leaf node
   * @throws MlsDecodeException if malformed, oversized or of an unknown source
   */
  public static LeafNode decode(TlsReader r) throws MlsDecodeException {
    byte[] encryptionKey = r.opaque(MlsConstants.MAX_PUBLIC_KEY_SIZE);
    byte[] signatureKey = r.opaque(MlsConstants.MAX_PUBLIC_KEY_SIZE);
    Credential credential = Credential.decode(r);
    Capabilities capabilities = Capabilities.decode(r);
    LeafNodeSource source = LeafNodeSource.of(r.u8());
    Lifetime lifetime = null;
    byte[] parentHash = null;
    if (source == LeafNodeSource.KEY_PACKAGE) {
      lifetime = Lifetime.decode(r);
    } else if (source == LeafNodeSource.COMMIT) {
      parentHash = r.opaque(MlsConstants.MAX_HASH_SIZE);
    }
    List<Extension> extensions = r.vector(Extension::decode);
    byte[] signature = r.opaque(MlsConstants.MAX_SIGNATURE_SIZE);
    return new LeafNode(encryptionKey, signatureKey, credential, capabilities, source, lifetime,
        parentHash, extensions, signature);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LeafNode n
        && Arrays.equals(encryptionKey, n.encryptionKey)
        && Arrays.equals(signatureKey, n.signatureKey)
        && credential.equals(n.credential)
        && capabilities.equals(n.capabilities)
        && source == n.source
        && Objects.equals(lifetime, n.lifetime)
        && Arrays.equals(parentHash, n.parentHash)
        && extensions.equals(n.extensions)
        && Arrays.equals(signature, n.signature);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(encryptionKey), Arrays.hashCode(signatureKey), credential,
        capabilities, source, lifetime, Arrays.hashCode(parentHash), extensions,
        Arrays.hashCode(signature));
  }

  @Override
  public String toString() {
    return "LeafNode[encryptionKey=" + Codec.show(encryptionKey)
        + ", signatureKey=" + Codec.show(signatureKey)
        + ", credential=" + credential
        + ", source=" + source
        + (lifetime != null ? ", lifetime=" + lifetime : "")
        + (parentHash != null ? ", parentHash=" + Codec.show(parentHash) : "")
        + ", extensions=" + extensions.size() + "]";
  }
}
