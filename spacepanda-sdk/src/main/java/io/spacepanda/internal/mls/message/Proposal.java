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
 * {@code Proposal} of RFC 9420 §12.1: a u16 {@code ProposalType} followed by the proposal's body.
 *
 * <p>The seven proposal types of the RFC (§17.4) are the nested records. A proposal of any other
 * type cannot be decoded, since its body carries no length. {@link #encode} writes type and body;
 * {@link #encodeBody} and each record's {@code decodeBody} handle the body alone (as the test
 * vectors carry it).
 */
public sealed interface Proposal extends TlsEncodable {

  /** {@code ProposalType add}. */
  int ADD = 1;
  /** {@code ProposalType update}. */
  int UPDATE = 2;
  /** {@code ProposalType remove}. */
  int REMOVE = 3;
  /** {@code ProposalType psk}. */
  int PSK = 4;
  /** {@code ProposalType reinit}. */
  int REINIT = 5;
  /** {@code ProposalType external_init}. */
  int EXTERNAL_INIT = 6;
  /** {@code ProposalType group_context_extensions}. */
  int GROUP_CONTEXT_EXTENSIONS = 7;

  /** @return the u16 proposal type (1..7) */
  int type();

  /**
   * Writes the proposal's body, without its type.
   *
   * @param w the writer
   */
  void encodeBody(TlsWriter w);

  @Override
  default void encode(TlsWriter w) {
    // RFC 9420 §12.1
    w.u16(type());
    encodeBody(w);
  }

  /**
   * Decodes one {@code Proposal} with its type (RFC 9420 §12.1).
   *
   * @param r the reader
   * @return the proposal
   * @throws MlsDecodeException if malformed or of an unknown type
   */
  static Proposal decode(TlsReader r) throws MlsDecodeException {
    int type = r.u16();
    switch (type) {
      case ADD:
        return Add.decodeBody(r);
      case UPDATE:
        return Update.decodeBody(r);
      case REMOVE:
        return Remove.decodeBody(r);
      case PSK:
        return PreSharedKey.decodeBody(r);
      case REINIT:
        return ReInit.decodeBody(r);
      case EXTERNAL_INIT:
        return ExternalInit.decodeBody(r);
      case GROUP_CONTEXT_EXTENSIONS:
        return GroupContextExtensions.decodeBody(r);
      default:
        throw new MlsDecodeException("unknown proposal type");
    }
  }

  /**
   * {@code Add} (RFC 9420 §12.1.1).
   *
   * @param keyPackage the new member's key package
   */
  record Add(KeyPackage keyPackage) implements Proposal {

    /** Checks presence. */
    public Add {
      Objects.requireNonNull(keyPackage, "keyPackage");
    }

    /**
     * Decodes the body of an {@code Add}.
     *
     * @param r the reader
     * @return the proposal
     * @throws MlsDecodeException if malformed
     */
    public static Add decodeBody(TlsReader r) throws MlsDecodeException {
      return new Add(KeyPackage.decode(r));
    }

    @Override
    public int type() {
      return ADD;
    }

    @Override
    public void encodeBody(TlsWriter w) {
      keyPackage.encode(w);
    }
  }

  /**
   * {@code Update} (RFC 9420 §12.1.2).
   *
   * @param leafNode the sender's new leaf
   */
  record Update(LeafNode leafNode) implements Proposal {

    /** Checks presence. */
    public Update {
      Objects.requireNonNull(leafNode, "leafNode");
    }

    /**
     * Decodes the body of an {@code Update}.
     *
     * @param r the reader
     * @return the proposal
     * @throws MlsDecodeException if malformed
     */
    public static Update decodeBody(TlsReader r) throws MlsDecodeException {
      return new Update(LeafNode.decode(r));
    }

    @Override
    public int type() {
      return UPDATE;
    }

    @Override
    public void encodeBody(TlsWriter w) {
      leafNode.encode(w);
    }
  }

  /**
   * {@code Remove} (RFC 9420 §12.1.3).
   *
   * <p>Unlike every other leaf index of this package, {@code removed} is decoded over the whole
   * uint32 range, because the RFC's syntax allows it and the official messages vectors carry such
   * values; an index of 2^31 or more is held as its bits, i.e. as a negative int. No tree can have
   * such a leaf, so validation (§12.2) must reject {@code removed < 0} like any index beyond the
   * tree; {@link #leafIndexOrMinusOne()} gives the index in the range the rest of the engine uses.
   *
   * @param removed the leaf index of the member to remove (uint32 bits)
   */
  record Remove(int removed) implements Proposal {

    /**
     * Decodes the body of a {@code Remove}.
     *
     * @param r the reader
     * @return the proposal
     * @throws MlsDecodeException if truncated
     */
    public static Remove decodeBody(TlsReader r) throws MlsDecodeException {
      return new Remove((int) r.u32());
    }

    /** @return the removed leaf index, or -1 when it is 2^31 or more (and so names no leaf) */
    public int leafIndexOrMinusOne() {
      return removed < 0 ? -1 : removed;
    }

    @Override
    public int type() {
      return REMOVE;
    }

    @Override
    public void encodeBody(TlsWriter w) {
      w.u32(Integer.toUnsignedLong(removed));
    }
  }

  /**
   * {@code PreSharedKey} (RFC 9420 §12.1.4).
   *
   * @param psk the PSK to inject
   */
  record PreSharedKey(PreSharedKeyId psk) implements Proposal {

    /** Checks presence. */
    public PreSharedKey {
      Objects.requireNonNull(psk, "psk");
    }

    /**
     * Decodes the body of a {@code PreSharedKey}.
     *
     * @param r the reader
     * @return the proposal
     * @throws MlsDecodeException if malformed
     */
    public static PreSharedKey decodeBody(TlsReader r) throws MlsDecodeException {
      return new PreSharedKey(PreSharedKeyId.decode(r));
    }

    @Override
    public int type() {
      return PSK;
    }

    @Override
    public void encodeBody(TlsWriter w) {
      psk.encode(w);
    }
  }

  /**
   * {@code ReInit} (RFC 9420 §12.1.5).
   *
   * @param groupId the new group's id
   * @param version the new protocol version
   * @param cipherSuite the new cipher suite
   * @param extensions the new group's extensions
   */
  record ReInit(byte[] groupId, int version, int cipherSuite, List<Extension> extensions)
      implements Proposal {

    /** Checks presence and ranges and copies the list. */
    public ReInit {
      Objects.requireNonNull(groupId, "groupId");
      if ((version & ~0xFFFF) != 0 || (cipherSuite & ~0xFFFF) != 0) {
        throw new IllegalArgumentException("version or cipher suite out of range");
      }
      extensions = Codec.list(extensions, "extensions");
    }

    /**
     * Decodes the body of a {@code ReInit}.
     *
     * @param r the reader
     * @return the proposal
     * @throws MlsDecodeException if malformed or oversized
     */
    public static ReInit decodeBody(TlsReader r) throws MlsDecodeException {
      return new ReInit(r.opaque(MlsConstants.MAX_GROUP_ID_SIZE), r.u16(), r.u16(),
          r.vector(Extension::decode));
    }

    @Override
    public int type() {
      return REINIT;
    }

    @Override
    public void encodeBody(TlsWriter w) {
      w.opaque(groupId).u16(version).u16(cipherSuite).vector(extensions);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ReInit x && Arrays.equals(groupId, x.groupId) && version == x.version
          && cipherSuite == x.cipherSuite && extensions.equals(x.extensions);
    }

    @Override
    public int hashCode() {
      return Objects.hash(Arrays.hashCode(groupId), version, cipherSuite, extensions);
    }

    @Override
    public String toString() {
      return "ReInit[groupId=" + Codec.show(groupId) + ", version=" + version + ", cipherSuite="
          + cipherSuite + ", extensions=" + extensions + "]";
    }
  }

  /**
   * {@code ExternalInit} (RFC 9420 §12.1.6).
   *
   * @param kemOutput the HPKE encapsulation to the group's external public key
   */
  record ExternalInit(byte[] kemOutput) implements Proposal {

    /** Checks presence. */
    public ExternalInit {
      Objects.requireNonNull(kemOutput, "kemOutput");
    }

    /**
     * Decodes the body of an {@code ExternalInit}.
     *
     * @param r the reader
     * @return the proposal
     * @throws MlsDecodeException if malformed or oversized
     */
    public static ExternalInit decodeBody(TlsReader r) throws MlsDecodeException {
      return new ExternalInit(r.opaque(MlsConstants.MAX_PUBLIC_KEY_SIZE));
    }

    @Override
    public int type() {
      return EXTERNAL_INIT;
    }

    @Override
    public void encodeBody(TlsWriter w) {
      w.opaque(kemOutput);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ExternalInit x && Arrays.equals(kemOutput, x.kemOutput);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(kemOutput);
    }

    @Override
    public String toString() {
      return "ExternalInit[kemOutput=" + Codec.show(kemOutput) + "]";
    }
  }

  /**
   * {@code GroupContextExtensions} (RFC 9420 §12.1.7).
   *
   * @param extensions the group's new extensions
   */
  record GroupContextExtensions(List<Extension> extensions) implements Proposal {

    /** Copies the list. */
    public GroupContextExtensions {
      extensions = Codec.list(extensions, "extensions");
    }

    /**
     * Decodes the body of a {@code GroupContextExtensions}.
     *
     * @param r the reader
     * @return the proposal
     * @throws MlsDecodeException if malformed
     */
    public static GroupContextExtensions decodeBody(TlsReader r) throws MlsDecodeException {
      return new GroupContextExtensions(r.vector(Extension::decode));
    }

    @Override
    public int type() {
      return GROUP_CONTEXT_EXTENSIONS;
    }

    @Override
    public void encodeBody(TlsWriter w) {
      w.vector(extensions);
    }
  }
}
