/**
 * What a plug-in implements: {@link io.spacepanda.spi.Storage} (with its transaction and records),
 * {@link io.spacepanda.spi.Transport} and {@link io.spacepanda.spi.Scheduler}.
 *
 * <p>This package depends on nothing inside the SDK but {@code io.spacepanda}'s value types. The
 * SDK's test-jar holds contract test kits ({@code io.spacepanda.spi.StorageContractTest}, {@code
 * io.spacepanda.testkit.TransportContractTest}) that an implementation should pass.
 */
package io.spacepanda.spi;
