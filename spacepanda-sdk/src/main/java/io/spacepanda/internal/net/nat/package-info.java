/**
 * NAT traversal for a host: ties AutoNAT, circuit relay v2 and DCUtR together (serve relaying and
 * dial-backs when public; probe, reserve on bootstrap relays and hole-punch when behind a NAT).
 */
package io.spacepanda.internal.net.nat;
