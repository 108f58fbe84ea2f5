/**
 * Netty NIO TCP listener and dialer over multiaddrs.
 */
package io.spacepanda.internal.net.tcp;
