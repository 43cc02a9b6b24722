/**
 * Just enough of PNG to look at a screenshot: the size, and the distinct colours of its pixels
 * (8-bit RGB or RGBA, not interlaced, as Chromium writes them), decoded with node:zlib.
 */
import { inflateSync } from 'node:zlib';

export interface PngLook {
  readonly width: number;
  readonly height: number;
  /** Distinct RGB colours among the pixels. */
  readonly colours: number;
  /** Share of pixels that are not the most common colour (the page's background). */
  readonly inked: number;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

export function lookAtPng(png: Buffer): PngLook {
  if (png.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a') throw new Error('not a PNG');
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const data: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('ascii', offset + 4, offset + 8);
    const body = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const [depth, colourType, , , interlace] = [body[8], body[9], body[10], body[11], body[12]];
      if (depth !== 8 || interlace !== 0 || (colourType !== 2 && colourType !== 6)) throw new Error(`unsupported PNG (depth ${depth}, type ${colourType})`);
      channels = colourType === 6 ? 4 : 3;
    } else if (type === 'IDAT') data.push(body);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * channels;
  const previous = Buffer.alloc(stride);
  const line = Buffer.alloc(stride);
  const counts = new Map<number, number>();
  for (let y = 0; y < height; y += 1) {
    const start = y * (stride + 1);
    const filter = raw[start];
    for (let x = 0; x < stride; x += 1) {
      const value = raw[start + 1 + x] ?? 0;
      const left = x >= channels ? (line[x - channels] ?? 0) : 0;
      const up = previous[x] ?? 0;
      const upLeft = x >= channels ? (previous[x - channels] ?? 0) : 0;
      const predicted = filter === 1 ? left : filter === 2 ? up : filter === 3 ? (left + up) >> 1 : filter === 4 ? paeth(left, up, upLeft) : 0;
      line[x] = (value + predicted) & 0xff;
    }
    for (let x = 0; x < stride; x += channels) {
      const rgb = ((line[x] ?? 0) << 16) | ((line[x + 1] ?? 0) << 8) | (line[x + 2] ?? 0);
      counts.set(rgb, (counts.get(rgb) ?? 0) + 1);
    }
    line.copy(previous);
  }
  const background = Math.max(...counts.values());
  return { width, height, colours: counts.size, inked: 1 - background / (width * height) };
}
