package io.spacepanda.internal.mls.message;

import io.spacepanda.internal.mls.MlsConstants;

/** {@code ProtocolVersion} code points of RFC 9420 §6 and §17.1. */
public final class ProtocolVersion {

  /** {@code mls10}. */
  public static final int MLS10 = MlsConstants.PROTOCOL_VERSION_MLS10;

  private ProtocolVersion() {}
}
