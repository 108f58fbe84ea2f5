/**
 * DCUtR, direct connection upgrade through relay (libp2p/specs relay/DCUtR.md): two peers joined by
 * a relayed connection exchange their observed addresses over it and dial each other at the same
 * moment (a TCP simultaneous open through both NATs), then move to the direct connection.
 */
package io.spacepanda.internal.net.dcutr;
