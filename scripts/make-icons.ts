// Draws the tray icons into resources/: one glyph per state (normal, attention, locked, error), as
// 16 px PNG plus @2x (32 px), macOS template variants (black + alpha), and a Windows ICO holding both sizes.
// Run: node scripts/make-icons.ts  (Node 22; no dependencies beyond node:zlib).
import { deflateSync, crc32 } from 'node:zlib';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

type Rgb = readonly [number, number, number];
type Shape = (x: number, y: number) => boolean;
interface Layer {
  shape: Shape;
  color: Rgb;
}

const OUT = join(import.meta.dirname, '..', 'resources');

const circle =
  (cx: number, cy: number, r: number): Shape =>
  (x, y) =>
    (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const rect =
  (x0: number, y0: number, x1: number, y1: number): Shape =>
  (x, y) =>
    x >= x0 && x <= x1 && y >= y0 && y <= y1;
const union =
  (...shapes: Shape[]): Shape =>
  (x, y) =>
    shapes.some((s) => s(x, y));
const minus =
  (a: Shape, b: Shape): Shape =>
  (x, y) =>
    a(x, y) && !b(x, y);

// A key: ring bow on the left, shaft to the right, two teeth.
const key: Shape = union(
  minus(circle(0.3, 0.5, 0.22), circle(0.3, 0.5, 0.1)),
  rect(0.48, 0.44, 0.94, 0.56),
  rect(0.72, 0.56, 0.8, 0.72),
  rect(0.86, 0.56, 0.94, 0.68),
);
// A padlock: shackle ring above a body.
const padlock: Shape = union(
  minus(rect(0.18, 0.46, 0.82, 0.92), circle(0.5, 0.66, 0.08)),
  minus(minus(circle(0.5, 0.42, 0.26), circle(0.5, 0.42, 0.15)), rect(0, 0.46, 1, 1)),
  rect(0.24, 0.4, 0.35, 0.47),
  rect(0.65, 0.4, 0.76, 0.47),
);
const badge: Shape = circle(0.8, 0.22, 0.2);
const badgeGap: Shape = circle(0.8, 0.22, 0.28);
// Error: the key with a diagonal bar through it.
const slash: Shape = (x, y) => Math.abs(x - y) < 0.09 && x > 0.06 && x < 0.94;
const slashGap: Shape = (x, y) => Math.abs(x - y) < 0.17;

const BLUE: Rgb = [59, 130, 246];
const AMBER: Rgb = [245, 158, 11];
const GREY: Rgb = [140, 146, 156];
const RED: Rgb = [220, 38, 38];
const BLACK: Rgb = [0, 0, 0];

const states: Record<string, (template: boolean) => Layer[]> = {
  normal: (t) => [{ shape: key, color: t ? BLACK : BLUE }],
  attention: (t) => [
    { shape: minus(key, badgeGap), color: t ? BLACK : BLUE },
    { shape: badge, color: t ? BLACK : AMBER },
  ],
  locked: (t) => [{ shape: padlock, color: t ? BLACK : GREY }],
  error: (t) => [
    { shape: minus(key, slashGap), color: t ? BLACK : GREY },
    { shape: slash, color: t ? BLACK : RED },
  ],
};

/** Renders layers at size×size with 4×4 supersampling; later layers paint over earlier ones. */
function render(layers: Layer[], size: number): Buffer {
  const ss = 4;
  const px = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let pxi = 0; pxi < size; pxi++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const x = (pxi + (sx + 0.5) / ss) / size;
          const y = (py + (sy + 0.5) / ss) / size;
          let hit: Rgb | null = null;
          for (const layer of layers) if (layer.shape(x, y)) hit = layer.color;
          if (hit) {
            r += hit[0];
            g += hit[1];
            b += hit[2];
            a += 1;
          }
        }
      }
      const o = (py * size + pxi) * 4;
      px[o] = a ? Math.round(r / a) : 0;
      px[o + 1] = a ? Math.round(g / a) : 0;
      px[o + 2] = a ? Math.round(b / a) : 0;
      px[o + 3] = Math.round((a / (ss * ss)) * 255);
    }
  }
  return px;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

function png(rgba: Buffer, size: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** An ICO whose entries are PNG payloads (supported since Windows Vista). */
function ico(images: { size: number; data: Buffer }[]): Buffer {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  let offset = 6 + 16 * images.length;
  const entries = images.map(({ size, data }) => {
    const e = Buffer.alloc(16);
    e[0] = size >= 256 ? 0 : size;
    e[1] = size >= 256 ? 0 : size;
    e.writeUInt16LE(1, 4); // planes
    e.writeUInt16LE(32, 6); // bits per pixel
    e.writeUInt32LE(data.length, 8);
    e.writeUInt32LE(offset, 12);
    offset += data.length;
    return e;
  });
  return Buffer.concat([header, ...entries, ...images.map((i) => i.data)]);
}

mkdirSync(OUT, { recursive: true });
for (const [state, layersFor] of Object.entries(states)) {
  const p16 = png(render(layersFor(false), 16), 16);
  const p32 = png(render(layersFor(false), 32), 32);
  writeFileSync(join(OUT, `tray-${state}.png`), p16);
  writeFileSync(join(OUT, `tray-${state}@2x.png`), p32);
  writeFileSync(join(OUT, `tray-${state}Template.png`), png(render(layersFor(true), 16), 16));
  writeFileSync(join(OUT, `tray-${state}Template@2x.png`), png(render(layersFor(true), 32), 32));
  writeFileSync(
    join(OUT, `tray-${state}.ico`),
    ico([
      { size: 16, data: p16 },
      { size: 32, data: p32 },
    ]),
  );
}
console.log(`icons written to ${OUT}`);
