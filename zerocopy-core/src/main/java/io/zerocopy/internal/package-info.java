/**
 * Internal: not API. What the library's own modules share beyond the SPI (the one way of
 * waiting). May change in any release without notice.
 */
package io.zerocopy.internal;
