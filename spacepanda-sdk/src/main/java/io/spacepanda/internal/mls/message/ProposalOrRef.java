package io.spacepanda.internal.mls.message;

import io.spacepanda.internal.mls.MlsConstants;
import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsEncodable;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import java.util.Arrays;
import java.util.Objects;

/**
 * {@code ProposalOrRef} of RFC 9420 §12.4: a proposal sent inline in a commit, or the reference
 * of one sent earlier in the epoch.
 */
public sealed interface ProposalOrRef extends TlsEncodable {

  /** {@code ProposalOrRefType proposal}. */
  int PROPOSAL = 1;

  /** {@code ProposalOrRefType reference}. */
  int REFERENCE = 2;

  /**
   * Decodes one {@code ProposalOrRef} (RFC 9420 §12.4).
   *
   * @param r the reader
   * @return the value
   * @throws MlsDecodeException if malformed or of an unknown type
   */
  static ProposalOrRef decode(TlsReader r) throws MlsDecodeException {
    int type = r.u8();
    switch (type) {
      case PROPOSAL:
        return new Value(Proposal.decode(r));
      case REFERENCE:
        return new Reference(r.opaque(MlsConstants.MAX_HASH_SIZE));
      default:
        throw new MlsDecodeException("unknown proposal-or-ref type");
    }
  }

  /**
   * An inline proposal.
   *
   * @param proposal the proposal
   */
  record Value(Proposal proposal) implements ProposalOrRef {

    /** Checks presence. */
    public Value {
      Objects.requireNonNull(proposal, "proposal");
    }

    @Override
    public void encode(TlsWriter w) {
      w.u8(PROPOSAL);
      proposal.encode(w);
    }
  }

  /**
   * A proposal reference (RFC 9420 §5.2, {@code ProposalRef}).
   *
   * @param ref the reference
   */
  record Reference(byte[] ref) implements ProposalOrRef {

    /** Checks presence. */
    public Reference {
      Objects.requireNonNull(ref, "ref");
    }

    @Override
    public void encode(TlsWriter w) {
      w.u8(REFERENCE).opaque(ref);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Reference x && Arrays.equals(ref, x.ref);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(ref);
    }

    @Override
    public String toString() {
      return "Reference[" + Codec.show(ref) + "]";
    }
  }
}
