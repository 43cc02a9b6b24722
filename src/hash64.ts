/**
 * A 64-bit string hash for the compact tables (input/product-index.ts, checkpoint/token-table.ts):
 * cyrb53, kept as its two 32-bit halves so a table stores it in a Uint32Array. Not cryptographic:
 * the tables check what a hash stands for where a collision would matter.
 */

/** cyrb53's two 32-bit state halves after mixing, unsigned: 64 bits of hash of a string. */
export function cyrb53Halves(text: string): [number, number] {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return [h1 >>> 0, h2 >>> 0];
}
